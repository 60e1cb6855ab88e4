#include "core/thread_name.hpp"

#include <pthread.h>

#include <string>

namespace baton {

void set_thread_name(std::string_view name) {
  const std::string cut(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), cut.c_str());  // best effort: a name is only a label
}

}  // namespace baton
