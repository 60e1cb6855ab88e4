#include "core/thread_name.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <array>
#include <string>
#include <thread>

namespace baton {
namespace {

std::string current_name() {
  std::array<char, 32> buffer{};
  pthread_getname_np(pthread_self(), buffer.data(), buffer.size());
  return buffer.data();
}

TEST(ThreadName, NamesTheCallingThreadAndCutsAtFifteen) {
  std::string short_name;
  std::string long_name;
  std::thread([&] {
    set_thread_name("baton-store");
    short_name = current_name();
    set_thread_name("baton-checkpointer-thread");
    long_name = current_name();
  }).join();
  EXPECT_EQ(short_name, "baton-store");
  EXPECT_EQ(long_name, "baton-checkpoin");
}

}  // namespace
}  // namespace baton
