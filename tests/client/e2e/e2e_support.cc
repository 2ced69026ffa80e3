#include "tests/client/e2e/e2e_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <netinet/in.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/v1/records.pb.h"

#ifndef SECUREBASE_CLI_BINARY
#define SECUREBASE_CLI_BINARY ""
#endif
#ifndef SECUREBASE_C_ROUNDTRIP_BINARY
#define SECUREBASE_C_ROUNDTRIP_BINARY ""
#endif

namespace securebase::e2e {

namespace fs = std::filesystem;

// --- Status -----------------------------------------------------------------

std::string Describe(const sc::Status& status) {
  return std::string(sc::ErrorCodeName(status.code())) + ": " + status.message();
}

::testing::AssertionResult HasCode(const sc::Status& status, sc::ErrorCode code) {
  if (status.code() != code) {
    return ::testing::AssertionFailure()
           << "expected " << sc::ErrorCodeName(code) << ", got " << Describe(status);
  }
  if (status.message().empty()) {
    return ::testing::AssertionFailure()
           << sc::ErrorCodeName(code) << " without a message for a person";
  }
  return ::testing::AssertionSuccess();
}

// --- Files ------------------------------------------------------------------

TempDir::TempDir(const std::string& prefix) : path_(it::MakeTempDir(prefix)) {}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
  }
  ::close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  return static_cast<bool>(out);
}

std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string contents = ReadFile(it->path().string());
    if (contents.find(needle) != std::string::npos) hits.push_back(it->path().string());
  }
  return hits;
}

bool CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  return !ec;
}

ScopedEnv::ScopedEnv(std::vector<std::pair<std::string, std::optional<std::string>>> vars) {
  for (auto& [name, value] : vars) {
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
}

ScopedEnv::~ScopedEnv() {
  for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
    if (it->second) {
      ::setenv(it->first.c_str(), it->second->c_str(), 1);
    } else {
      ::unsetenv(it->first.c_str());
    }
  }
}

// --- LiveProcess --------------------------------------------------------------

std::unique_ptr<LiveProcess> LiveProcess::Start(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return nullptr;
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return nullptr;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return nullptr;
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  std::unique_ptr<LiveProcess> process(new LiveProcess());
  process->pid_ = pid;
  LiveProcess* p = process.get();
  process->out_reader_ = std::thread([p, fd = out[0]] { p->Drain(fd, &p->out_); });
  process->err_reader_ = std::thread([p, fd = err[0]] { p->Drain(fd, &p->err_); });
  return process;
}

void LiveProcess::Drain(int fd, std::string* sink) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard<std::mutex> lock(mu_);
    sink->append(buf, static_cast<size_t>(n));
    cv_.notify_all();
  }
  ::close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  --open_pipes_;
  cv_.notify_all();
}

LiveProcess::~LiveProcess() {
  if (!wait_status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

bool LiveProcess::WaitFor(const std::string* text, const std::string& needle,
                          std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return text->find(needle) != std::string::npos || open_pipes_ == 0;
  }) && text->find(needle) != std::string::npos;
}

bool LiveProcess::WaitForStdout(const std::string& needle, std::chrono::milliseconds timeout) {
  return WaitFor(&out_, needle, timeout);
}

bool LiveProcess::WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout) {
  return WaitFor(&err_, needle, timeout);
}

std::string LiveProcess::Stdout() const {
  std::lock_guard<std::mutex> lock(mu_);
  return out_;
}

std::string LiveProcess::Stderr() const {
  std::lock_guard<std::mutex> lock(mu_);
  return err_;
}

void LiveProcess::Signal(int signo) {
  if (!wait_status_) ::kill(pid_, signo);
}

std::optional<int> LiveProcess::Wait(std::chrono::milliseconds timeout) {
  if (wait_status_) return wait_status_;
  int status = 0;
  if (!it::WaitForExit(pid_, timeout, &status)) return std::nullopt;
  wait_status_ = status;
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
  return wait_status_;
}

std::string CliBinary() { return SECUREBASE_CLI_BINARY; }
std::string CRoundTripBinary() { return SECUREBASE_C_ROUNDTRIP_BINARY; }

// --- JSON -------------------------------------------------------------------

std::optional<Json> ParseJson(const std::string& text, std::string* error) {
  Json value;
  auto status = google::protobuf::util::JsonStringToMessage(text, &value);
  if (!status.ok()) {
    if (error != nullptr) *error = status.ToString();
    return std::nullopt;
  }
  return value;
}

const Json& Member(const Json& obj, const std::string& key) {
  static const Json* const kNull = new Json();
  if (!obj.has_struct_value()) return *kNull;
  const auto& fields = obj.struct_value().fields();
  auto found = fields.find(key);
  return found == fields.end() ? *kNull : found->second;
}

bool Has(const Json& obj, const std::string& key) {
  return obj.has_struct_value() && obj.struct_value().fields().count(key) > 0;
}

std::string Str(const Json& obj, const std::string& key) {
  const Json& v = Member(obj, key);
  return v.kind_case() == Json::kStringValue ? v.string_value() : std::string("<not a string>");
}

double Num(const Json& obj, const std::string& key) {
  const Json& v = Member(obj, key);
  return v.kind_case() == Json::kNumberValue ? v.number_value() : -12345.678;
}

bool Bool(const Json& obj, const std::string& key) {
  const Json& v = Member(obj, key);
  return v.kind_case() == Json::kBoolValue && v.bool_value();
}

std::vector<Json> AsList(const Json& value) {
  std::vector<Json> out;
  if (value.kind_case() != Json::kListValue) return out;
  for (const Json& v : value.list_value().values()) out.push_back(v);
  return out;
}

std::vector<Json> List(const Json& obj, const std::string& key) { return AsList(Member(obj, key)); }

// --- Content ----------------------------------------------------------------

sc::TextMessage MakeText(const std::string& marker) {
  return sc::TextMessage{"text " + marker + " \xE2\x9C\x93 \"quoted\"\nsecond line", ""};
}

sc::CheckIn MakeCheckIn(const std::string& marker) {
  sc::CheckIn c;
  c.mood = 4;
  c.emotions = {{"anxious-" + marker, 70}, {"sad-" + marker, 0}, {"hopeful-" + marker, 100}};
  c.energy = 3;
  c.sleep_hours = 6.5;
  c.helped = "helped " + marker;
  c.note = "note " + marker;
  c.questionnaires = {{sc::Questionnaire::kPhq9, {0, 1, 2, 3, 0, 1, 2, 3, 1}},
                      {sc::Questionnaire::kGad7, {3, 2, 1, 0, 1, 2, 3}}};
  return c;
}

sc::Reflection MakeFreeReflection(const std::string& marker) {
  sc::Reflection r;
  r.kind = "free";
  r.prompt = "prompt " + marker;
  r.body = "free body " + marker;
  return r;
}

sc::Reflection MakeStructuredReflection(const std::string& kind, const std::string& marker) {
  sc::Reflection r;
  r.kind = kind;
  r.prompt = kind + " prompt " + marker;
  r.body = kind + " body " + marker;
  const sc::ReflectionKindSchema* schema = sc::FindReflectionKind(kind);
  if (schema == nullptr) {
    ADD_FAILURE() << "no reflection kind " << kind;
    return r;
  }
  for (const sc::ReflectionFieldSchema& field : schema->fields) {
    if (field.type == sc::ReflectionFieldType::kText) {
      r.SetText(field.key, field.key + " " + marker);
    } else {
      r.SetEmotions(field.key, {{field.key + "-fear-" + marker, 80}, {"shame-" + marker, 30}});
    }
  }
  return r;
}

sc::Reflection MakeThoughtRecord(const std::string& marker) {
  return MakeStructuredReflection("thought-record", marker);
}

sc::Reflection MakeMentalisation(const std::string& marker) {
  return MakeStructuredReflection("mentalisation", marker);
}

sc::Reflection MakeCommunication(const std::string& marker) {
  return MakeStructuredReflection("communication", marker);
}

sc::Exercise MakeExercise(const std::string& marker) {
  sc::Exercise e;
  e.title = "title " + marker;
  e.instructions = "instructions " + marker;
  e.kind = "thought-record";
  e.recurrence = sc::Recurrence::kDaily;
  e.due_date = "2031-03-15";
  return e;
}

sc::Availability MakeAvailability(const std::string& marker) {
  return sc::Availability{"Mon-Thu 9-17 " + marker, "Not for emergencies " + marker};
}

namespace {

struct Differ {
  std::string* why;
  bool Fail(const std::string& what) {
    if (why != nullptr && why->empty()) *why = what;
    return false;
  }
  template <typename T>
  bool Eq(const T& a, const T& b, const std::string& field) {
    if (a == b) return true;
    std::ostringstream os;
    os << field << " differs";
    if constexpr (std::is_same_v<T, std::string>) os << ": \"" << a << "\" vs \"" << b << "\"";
    return Fail(os.str());
  }
  bool Emotions(const std::vector<sc::Emotion>& a, const std::vector<sc::Emotion>& b,
                const std::string& field) {
    if (a.size() != b.size()) return Fail(field + " count differs");
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Eq(a[i].name, b[i].name, field + "[" + std::to_string(i) + "].name") ||
          !Eq(a[i].intensity, b[i].intensity, field + "[" + std::to_string(i) + "].intensity")) {
        return false;
      }
    }
    return true;
  }
  bool Same(const sc::TextMessage& a, const sc::TextMessage& b) {
    return Eq(a.body, b.body, "text.body") && Eq(a.reply_to, b.reply_to, "text.reply_to");
  }
  bool Same(const sc::CheckIn& a, const sc::CheckIn& b) {
    if (!Eq(a.mood, b.mood, "mood") || !Emotions(a.emotions, b.emotions, "emotions") ||
        !Eq(a.energy, b.energy, "energy") || !Eq(a.sleep_hours, b.sleep_hours, "sleep_hours") ||
        !Eq(a.helped, b.helped, "helped") || !Eq(a.note, b.note, "note") ||
        !Eq(a.exercise_id, b.exercise_id, "check-in exercise_id")) {
      return false;
    }
    if (a.questionnaires.size() != b.questionnaires.size()) {
      return Fail("questionnaire count differs");
    }
    for (size_t i = 0; i < a.questionnaires.size(); ++i) {
      if (a.questionnaires[i].questionnaire != b.questionnaires[i].questionnaire ||
          a.questionnaires[i].item_scores != b.questionnaires[i].item_scores) {
        return Fail("questionnaire " + std::to_string(i) + " differs");
      }
    }
    return true;
  }
  bool Same(const sc::Reflection& a, const sc::Reflection& b) {
    if (a.kind != b.kind) return Fail("reflection kind differs");
    if (!Eq(a.prompt, b.prompt, "prompt") || !Eq(a.body, b.body, "reflection body") ||
        !Eq(a.exercise_id, b.exercise_id, "reflection exercise_id")) {
      return false;
    }
    // Every field of the kind's schema (an absent field reads as empty).
    const sc::ReflectionKindSchema* kind = sc::FindReflectionKind(a.kind);
    if (kind == nullptr) {
      if (!a.fields.empty() || !b.fields.empty()) return Fail("fields of an unknown kind");
      return true;
    }
    for (const sc::ReflectionFieldSchema& field : kind->fields) {
      if (!Eq(a.Text(field.key), b.Text(field.key), field.key) ||
          !Emotions(a.Emotions(field.key), b.Emotions(field.key), field.key)) {
        return false;
      }
    }
    return true;
  }
  bool Same(const sc::Exercise& a, const sc::Exercise& b) {
    return Eq(a.title, b.title, "title") && Eq(a.instructions, b.instructions, "instructions") &&
           Eq(a.kind, b.kind, "exercise kind") &&
           Eq(static_cast<int>(a.recurrence), static_cast<int>(b.recurrence), "recurrence") &&
           Eq(a.due_date, b.due_date, "due_date");
  }
  bool Same(const sc::Availability& a, const sc::Availability& b) {
    return Eq(a.text, b.text, "availability text") &&
           Eq(a.emergency_guidance, b.emergency_guidance, "emergency_guidance");
  }
  bool Same(const sc::Receipt& a, const sc::Receipt& b) {
    return Eq(static_cast<int>(a.type), static_cast<int>(b.type), "receipt type") &&
           Eq(a.message_ids, b.message_ids, "receipt ids");
  }
  bool Same(const sc::Profile& a, const sc::Profile& b) {
    if (!Eq(a.display_name, b.display_name, "display_name")) return false;
    if (a.availability.has_value() != b.availability.has_value()) {
      return Fail("profile availability presence differs");
    }
    return !a.availability || Same(*a.availability, *b.availability);
  }
  bool Same(const sc::InvalidContent& a, const sc::InvalidContent& b) {
    return Eq(a.reason, b.reason, "invalid reason");
  }
};

}  // namespace

bool SameContent(const sc::ContentBody& a, const sc::ContentBody& b, std::string* why) {
  Differ d{why};
  if (a.index() != b.index()) {
    return d.Fail(std::string("type differs: ") + sc::ContentTypeName(a) + " vs " +
                  sc::ContentTypeName(b));
  }
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return d.Same(x, std::get<T>(b));
      },
      a);
}

::testing::AssertionResult ContentEquals(const sc::ContentBody& expected,
                                         const sc::ContentBody& actual) {
  std::string why;
  if (SameContent(expected, actual, &why)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "content differs: " << why << " (expected " << sc::ContentTypeName(expected) << ")";
}

std::string DescribeHistory(const std::vector<sc::HistoryItem>& items) {
  static const char* kStates[] = {"queued", "sent", "delivered", "read", "failed"};
  std::ostringstream os;
  for (const sc::HistoryItem& item : items) {
    os << "  " << sc::ContentTypeName(item.content) << " "
       << (item.direction == sc::Direction::kIncoming ? "in " : "out ")
       << kStates[static_cast<int>(item.state) % 5] << " " << item.message_id;
    if (const auto* invalid = std::get_if<sc::InvalidContent>(&item.content)) {
      os << " (" << invalid->reason << ")";
    }
    if (const auto* text = std::get_if<sc::TextMessage>(&item.content)) {
      os << " \"" << text->body.substr(0, 40) << "\"";
    }
    os << "\n";
  }
  return os.str();
}

size_t CountId(const std::vector<sc::HistoryItem>& items, const std::string& message_id) {
  size_t n = 0;
  for (const auto& item : items) n += item.message_id == message_id;
  return n;
}

const sc::HistoryItem* FindId(const std::vector<sc::HistoryItem>& items,
                              const std::string& message_id) {
  for (const auto& item : items) {
    if (item.message_id == message_id) return &item;
  }
  return nullptr;
}

size_t CountInvalid(const std::vector<sc::HistoryItem>& items) {
  size_t n = 0;
  for (const auto& item : items) n += std::holds_alternative<sc::InvalidContent>(item.content);
  return n;
}

std::string RandomHex(size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  std::random_device rd;
  for (size_t i = 0; i < n; ++i) {
    const unsigned b = rd() & 0xFF;
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

// --- Server store -------------------------------------------------------------

bool EditServerStore(
    const std::string& db_dir,
    const std::function<bool(rocksdb::DB*, std::map<std::string, rocksdb::ColumnFamilyHandle*>&,
                             std::string*)>& edit,
    std::string* error) {
  rocksdb::Options options;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, db_dir, &names);
  if (!s.ok()) {
    *error = "list column families: " + s.ToString();
    return false;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(options, db_dir, descriptors, &handles, &raw);
  if (!s.ok()) {
    *error = "open: " + s.ToString();
    return false;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name;
  for (size_t i = 0; i < names.size(); ++i) by_name[names[i]] = handles[i];
  bool ok = edit(db.get(), by_name, error);
  rocksdb::FlushOptions flush;
  for (auto* handle : handles) {
    if (ok) {
      rocksdb::Status f = db->Flush(flush, handle);
      if (!f.ok()) {
        *error = "flush: " + f.ToString();
        ok = false;
      }
    }
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  return ok;
}

bool DumpServerStore(const std::string& db_dir, std::string* out, std::string* error) {
  rocksdb::Options options;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, db_dir, &names);
  if (!s.ok()) {
    *error = "list column families: " + s.ToString();
    return false;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(options, db_dir, descriptors, &handles, &raw);
  if (!s.ok()) {
    *error = "open read-only: " + s.ToString();
    return false;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  for (size_t i = 0; i < handles.size(); ++i) {
    std::unique_ptr<rocksdb::Iterator> iter(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
      out->append(names[i]).push_back('\0');
      out->append(iter->key().ToString()).push_back('\0');
      out->append(iter->value().ToString()).push_back('\0');
    }
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  return true;
}

// --- Fixture ----------------------------------------------------------------

void E2eTest::SetUp() {
  temp_ = std::make_unique<TempDir>("sb-e2e-");
  // A few attempts: the free port may be taken between the probe and the bind.
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreeLoopbackPort();
    ASSERT_NE(port_, 0) << "no free loopback port";
    it::ServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(port_);
    server_ = std::make_unique<it::ServerProcess>(options);
    ::testing::AssertionResult started = server_->Start();
    if (started) break;
    if (attempt == 2) FAIL() << "server did not start: " << started.message();
  }
  address_ = server_->address();
  // For every CLI child: the passphrase and a cheap Argon2id for `init`.
  ::setenv("SECUREBASE_PASSPHRASE", kPassphrase, 1);
  ::setenv("SECUREBASE_PASSPHRASE_COST", "minimum-for-tests", 1);
  ::unsetenv("SECUREBASE_HOME");
  ::unsetenv("SECUREBASE_SERVER");
  ::unsetenv("SECUREBASE_CA");
}

void E2eTest::TearDown() {
  if (HasFailure() && server_ != nullptr) {
    std::string err = server_->StderrText();
    constexpr size_t kTail = 5000;
    if (err.size() > kTail) err = "...\n" + err.substr(err.size() - kTail);
    std::cerr << "---- securebase-server stderr (tail) ----\n"
              << err << "\n---- end of server stderr ----\n";
  }
  server_.reset();
  temp_.reset();
}

sc::ClientOptions E2eTest::Options(const std::string& home) {
  sc::ClientOptions options;
  options.home = home;
  options.server_address = address_;
  options.insecure_loopback = true;
  options.rpc_timeout = kClientRpcTimeout;
  options.lock_timeout = std::chrono::milliseconds(20000);
  options.passphrase_cost = sc::PassphraseCost::kMinimumForTests;
  options.faults = &faults_;
  return options;
}

void TestFaults::Set(std::function<bool(sc::FaultPoint)> fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_ = std::move(fail);
}

bool TestFaults::ShouldFail(sc::FaultPoint point) {
  std::lock_guard<std::mutex> lock(mu_);
  return fail_ && fail_(point);
}

std::unique_ptr<sc::Client> E2eTest::Create(sc::Role role, const std::string& name,
                                            const std::function<void(sc::ClientOptions&)>& tweak) {
  sc::ClientOptions options = Options(Home(name));
  if (tweak) tweak(options);
  auto created = sc::Client::Create(options, kPassphrase, role, name);
  if (!created.ok()) {
    ADD_FAILURE() << "Create(" << name << "): " << Describe(created.status());
    return nullptr;
  }
  return std::move(created).value();
}

std::unique_ptr<sc::Client> E2eTest::Reopen(const std::string& name,
                                            const std::function<void(sc::ClientOptions&)>& tweak) {
  sc::ClientOptions options = Options(Home(name));
  if (tweak) tweak(options);
  auto opened = sc::Client::Open(options, kPassphrase);
  if (!opened.ok()) {
    ADD_FAILURE() << "Open(" << name << "): " << Describe(opened.status());
    return nullptr;
  }
  return std::move(opened).value();
}

void E2eTest::Link(sc::Client& therapist, sc::Client& client) {
  auto code = therapist.CreateInvite(std::chrono::hours(1));
  ASSERT_SB_OK(code);
  auto contact = client.AcceptInvite(*code);
  ASSERT_SB_OK(contact);
  EXPECT_EQ(contact->user_id, therapist.user_id());
  EXPECT_EQ(contact->display_name, therapist.display_name())
      << "the sealed profile in the invite names the therapist";
  EXPECT_TRUE(contact->verified) << "an accepted invite pins (verifies) the therapist's key";
  auto synced = therapist.Sync();
  ASSERT_SB_OK(synced);
  auto found = therapist.FindContact(client.user_id());
  ASSERT_SB_OK(found);
  EXPECT_EQ(found->display_name, client.display_name())
      << "the therapist knows the client's name after the next sync";
}

std::vector<sc::HistoryItem> E2eTest::SyncUntil(sc::Client& client, size_t count,
                                                std::chrono::milliseconds timeout) {
  std::vector<sc::HistoryItem> got;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(20);
  for (;;) {
    auto synced = client.Sync();
    if (!synced.ok()) {
      ADD_FAILURE() << "Sync: " << Describe(synced.status());
      return got;
    }
    for (auto& item : synced->new_items) got.push_back(std::move(item));
    if (got.size() >= count || std::chrono::steady_clock::now() >= deadline) return got;
    std::this_thread::sleep_for(pause);  // Polling the server: delivery is asynchronous.
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

std::string Be32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (24 - 8 * i));
  return out;
}

std::string ToString(crypto::ByteSpan b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// (e2e_support.h) Rewrites `user_id`'s identity key to `new_key` everywhere the server keeps
// it, and replaces the signed prekey of `device_id` with `spk` (signed by the
// new key). With `add_device`, also adds a device `*added` with that prekey.
bool RewriteIdentity(rocksdb::DB* db, Cfs& cfs, const std::string& user_id,
                     const std::string& new_key, const crypto::SignedPreKey& spk,
                     uint32_t device_id, bool add_device, uint32_t* added, std::string* why) {
  for (const char* cf : {"accounts", "identity_keys", "links", "devices"}) {
    if (!cfs.count(cf)) {
      *why = std::string("no column family ") + cf;
      return false;
    }
  }
  rocksdb::WriteOptions w;
  std::string value;
  if (!db->Get(rocksdb::ReadOptions(), cfs["accounts"], user_id, &value).ok()) {
    *why = "account not found";
    return false;
  }
  v1::AccountRecord account;
  if (!account.ParseFromString(value)) {
    *why = "account does not parse";
    return false;
  }
  const std::string old_key = account.identity_key();
  account.set_identity_key(new_key);
  v1::SignedPreKey wire_spk;
  wire_spk.set_key_id(spk.id);
  wire_spk.set_public_key(ToString(spk.key.public_key().span()));
  wire_spk.set_signature(ToString(spk.signature.span()));
  if (add_device) {
    *added = account.next_device_id();
    account.set_next_device_id(*added + 1);
    v1::DeviceRecord device;
    device.set_device_id(*added);
    crypto::DeviceAuthKeyPair auth = crypto::DeviceAuthKeyPair::Generate(crypto::SystemRandom());
    device.set_device_auth_key(ToString(auth.public_key().span()));
    *device.mutable_signed_prekey() = wire_spk;
    device.set_created_at_unix_ms(1);
    if (!db->Put(w, cfs["devices"], user_id + Be32(*added), device.SerializeAsString()).ok()) {
      return false;
    }
  } else {
    std::string dev;
    if (!db->Get(rocksdb::ReadOptions(), cfs["devices"], user_id + Be32(device_id), &dev).ok()) {
      *why = "device not found";
      return false;
    }
    v1::DeviceRecord device;
    device.ParseFromString(dev);
    *device.mutable_signed_prekey() = wire_spk;
    if (!db->Put(w, cfs["devices"], user_id + Be32(device_id), device.SerializeAsString()).ok()) {
      return false;
    }
  }
  if (!db->Put(w, cfs["accounts"], user_id, account.SerializeAsString()).ok()) return false;
  std::string owner;
  if (db->Get(rocksdb::ReadOptions(), cfs["identity_keys"], old_key, &owner).ok()) {
    if (!db->Delete(w, cfs["identity_keys"], old_key).ok()) return false;
    if (!db->Put(w, cfs["identity_keys"], new_key, owner).ok()) return false;
  }
  // Links: every record whose peer is this user.
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cfs["links"]));
  int rewritten = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::LinkRecord link;
    if (!link.ParseFromString(it->value().ToString()) || link.peer_user_id() != user_id) continue;
    link.set_peer_identity_key(new_key);
    if (!db->Put(w, cfs["links"], it->key(), link.SerializeAsString()).ok()) return false;
    ++rewritten;
  }
  if (rewritten == 0) {
    *why = "no link names the user";
    return false;
  }
  return true;
}

bool SubstituteIdentityOnServer(const std::string& db_dir, const std::string& user_id,
                                std::string* error) {
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::IdentityKeyPair fake = crypto::IdentityKeyPair::Generate(rng);
  crypto::SignedPreKey fake_spk = crypto::SignedPreKey::Generate(fake, 7, rng);
  const std::string fake_key = ToString(fake.public_key().span());
  uint32_t added = 0;
  return EditServerStore(
      db_dir,
      [&](rocksdb::DB* db, Cfs& cfs, std::string* why) {
        return RewriteIdentity(db, cfs, user_id, fake_key, fake_spk, 0, true, &added, why);
      },
      error);
}

}  // namespace securebase::e2e
