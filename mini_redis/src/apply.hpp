// Applying the commands that need no per-connection state to a Db (mini-redis's cmd/*.rs
// `apply` functions), and the start-up housekeeping commands that redis-cli and redis-benchmark
// send. Private to the server: the connection handler (handler.cpp) is the only caller.
#pragma once

#include <optional>
#include <string>

#include <mini_redis/command.hpp>
#include <mini_redis/db.hpp>
#include <mini_redis/frame.hpp>

namespace mini_redis::detail {

/// The reply to PING, GET, SET, PUBLISH or an unknown command, after applying it to `db`.
/// SUBSCRIBE and UNSUBSCRIBE change the connection's state: the handler answers those.
///
/// Example:
///   Frame reply = apply(Command(Get{"k"}), db);   // bulk "v", or null
Frame apply(Command&& cmd, Db& db);

/// The command name of a request frame (its first element), lower-cased; empty when the frame
/// is not an array starting with a string.
///
/// Example:
///   command_name(Frame::array({Frame::bulk("GET"), Frame::bulk("k")}));   // "get"
std::string command_name(const Frame& request);

/// The reply to a housekeeping command clients send at start-up and mini-redis does not model
/// (CONFIG GET: the values of save and appendonly, nothing else; COMMAND: empty array;
/// CLIENT: +OK); nullopt for any other command.
///
/// Example:
///   auto r = housekeeping_reply("config", request);   // CONFIG GET save: ["save", ""]
std::optional<Frame> housekeeping_reply(const std::string& name, const Frame& request);

/// "ERR Protocol error: ..." for a frame error message (Redis's wording).
///
/// Example:
///   protocol_error_reply("protocol error; invalid integer");   // -ERR Protocol error: invalid
///   integer
Frame protocol_error_reply(const std::string& message);

}  // namespace mini_redis::detail
