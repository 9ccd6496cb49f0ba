// mini_redis::BlockingClient / BlockingSubscriber: see blocking_client.hpp.
#include <utility>

#include <mini_redis/blocking_client.hpp>

#include <sluice/timeout.hpp>

namespace mini_redis {

namespace {
std::unique_ptr<sluice::Runtime> make_runtime() {
  return std::make_unique<sluice::Runtime>(sluice::Builder::current_thread().build());
}
}  // namespace

BlockingClient::BlockingClient(std::unique_ptr<sluice::Runtime> rt, Client client)
    : rt_(std::move(rt)), client_(std::move(client)) {}

BlockingClient::~BlockingClient() { client_.reset(); }

ClientResult<BlockingClient> BlockingClient::connect(std::string addr) {
  auto rt = make_runtime();
  ClientResult<Client> c = rt->block_on(Client::connect(std::move(addr)));
  if (!c) return sluice::Err(std::move(c).error());
  return BlockingClient(std::move(rt), std::move(*c));
}

ClientResult<BlockingClient> BlockingClient::connect(sluice::net::SocketAddr addr) {
  auto rt = make_runtime();
  ClientResult<Client> c = rt->block_on(Client::connect(addr));
  if (!c) return sluice::Err(std::move(c).error());
  return BlockingClient(std::move(rt), std::move(*c));
}

ClientResult<std::string> BlockingClient::ping(std::optional<std::string> message) {
  return rt_->block_on(client_->ping(std::move(message)));
}

ClientResult<std::optional<std::string>> BlockingClient::get(std::string key) {
  return rt_->block_on(client_->get(std::move(key)));
}

ClientResult<void> BlockingClient::set(std::string key, std::string value) {
  return rt_->block_on(client_->set(std::move(key), std::move(value)));
}

ClientResult<void> BlockingClient::set_expires(std::string key, std::string value,
                                               std::chrono::milliseconds expires) {
  return rt_->block_on(client_->set_expires(std::move(key), std::move(value), expires));
}

ClientResult<std::int64_t> BlockingClient::publish(std::string channel, std::string message) {
  return rt_->block_on(client_->publish(std::move(channel), std::move(message)));
}

ClientResult<Frame> BlockingClient::execute(Frame command) {
  return rt_->block_on(client_->execute(std::move(command)));
}

ClientResult<BlockingSubscriber> BlockingClient::subscribe(std::vector<std::string> channels) && {
  Client c = std::move(*client_);
  client_.reset();
  ClientResult<Subscriber> sub =
      rt_->block_on(Client::subscribe(std::move(c), std::move(channels)));
  if (!sub) return sluice::Err(std::move(sub).error());
  return BlockingSubscriber(std::move(rt_), std::move(*sub));
}

BlockingSubscriber::BlockingSubscriber(std::unique_ptr<sluice::Runtime> rt, Subscriber sub)
    : rt_(std::move(rt)), sub_(std::move(sub)) {}

BlockingSubscriber::~BlockingSubscriber() { sub_.reset(); }

ClientResult<std::optional<Message>> BlockingSubscriber::next_message() {
  return rt_->block_on(sub_->next_message());
}

std::optional<ClientResult<std::optional<Message>>> BlockingSubscriber::next_message_timeout(
    std::chrono::milliseconds limit) {
  auto r = rt_->block_on(sluice::timeout(limit, sub_->next_message()));
  if (!r) return std::nullopt;
  return std::move(*r);
}

ClientResult<void> BlockingSubscriber::subscribe(std::vector<std::string> channels) {
  return rt_->block_on(sub_->subscribe(std::move(channels)));
}

ClientResult<void> BlockingSubscriber::unsubscribe(std::vector<std::string> channels) {
  return rt_->block_on(sub_->unsubscribe(std::move(channels)));
}

const std::vector<std::string>& BlockingSubscriber::subscribed_channels() const noexcept {
  return sub_->subscribed_channels();
}

}  // namespace mini_redis
