// mini_redis: the umbrella header. The client side (Client, Subscriber, BufferedClient,
// BlockingClient), the server (run, Db) and the protocol (Frame, FrameParser, Command); and
// sluice itself (<sluice/sluice.hpp>), which mini-redis is built on.
//
//   #include <mini_redis/mini_redis.hpp>
//   auto client = co_await mini_redis::Client::connect("127.0.0.1:6379");
#pragma once

#include <mini_redis/blocking_client.hpp>
#include <mini_redis/buffered_client.hpp>
#include <mini_redis/client.hpp>
#include <mini_redis/client_error.hpp>
#include <mini_redis/command.hpp>
#include <mini_redis/connection.hpp>
#include <mini_redis/db.hpp>
#include <mini_redis/frame.hpp>
#include <mini_redis/frame_parser.hpp>
#include <mini_redis/parse.hpp>
#include <mini_redis/server.hpp>
#include <mini_redis/subscriber.hpp>

#include <sluice/sluice.hpp>
