// Named points in the client's crash-safety critical paths. Tests install a
// hook (SetFaultHookForTesting) that kills the process or fails at a chosen
// point; without a hook a fault point does nothing.
//
// Points: "after-decrypt-before-commit", "after-commit-before-ack",
// "after-commit-before-send".
#ifndef SECUREBASE_CLIENT_SRC_FAULT_POINTS_H_
#define SECUREBASE_CLIENT_SRC_FAULT_POINTS_H_

#include <functional>
#include <string_view>

namespace securebase::client {

// Returns true when the operation should fail at this point (as if an I/O
// error happened); the hook may also end the process.
using FaultHook = std::function<bool(std::string_view point)>;
void SetFaultHookForTesting(FaultHook hook);
bool FaultPoint(std::string_view point);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_FAULT_POINTS_H_
