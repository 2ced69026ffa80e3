// bench_echo_server: the bare gRPC baseline for the load generator. A
// callback-API unary echo (the API securebase-server uses), answering inline
// on gRPC's own thread, with the same builder defaults as securebase-server.
//
// It accepts the command line the test harness gives securebase-server
// (`serve --data-dir D --listen HOST:PORT --insecure-loopback ...`), reads only
// --listen, prints `listening on HOST:PORT` once serving, and exits 0 on
// SIGTERM or SIGINT.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "securebase/bench/echo.grpc.pb.h"

namespace {

class EchoService final : public securebase::bench::Echo::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const securebase::bench::EchoMessage* request,
                                 securebase::bench::EchoMessage* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

std::string ListenAddress(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--listen") == 0 && i + 1 < argc) return argv[i + 1];
    if (std::strncmp(argv[i], "--listen=", 9) == 0) return argv[i] + 9;
  }
  return "127.0.0.1:0";
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals before gRPC starts threads, then wait for one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string listen = ListenAddress(argc, argv);
  EchoService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "bench_echo_server: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("listening on %s:%d\n", host.c_str(), port);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server->Shutdown();
  return 0;
}
