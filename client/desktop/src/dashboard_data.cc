#include "dashboard_data.h"

#include <algorithm>
#include <map>

#include "content_cards.h"
#include "measures.h"

namespace securebase::desktop {

namespace {

QString FirstLine(const std::string& text, int max_chars) {
  QString line = QString::fromStdString(text).section('\n', 0, 0).trimmed();
  if (line.size() > max_chars) line = line.left(max_chars - 1) + QChar(0x2026);
  return line;
}

// The kind's text fields that are filled in, in schema order.
std::vector<std::string> FilledTexts(const sc::Reflection& r) {
  std::vector<std::string> texts;
  if (const sc::ReflectionKindSchema* schema = sc::FindReflectionKind(r.kind)) {
    for (const sc::ReflectionFieldSchema& field : schema->fields) {
      if (field.type != sc::ReflectionFieldType::kText) continue;
      std::string text = r.Text(field.key);
      if (!text.empty()) texts.push_back(std::move(text));
    }
  }
  return texts;
}

// Title: the prompt, else where the reflection starts (its first field, or
// the body). Detail: where it ends up (the last field: the balanced thought,
// the skill used, what I can give myself now...), else the body.
ReflectionEntry EntryFor(const sc::Reflection& r, int64_t at) {
  ReflectionEntry entry;
  entry.unix_ms = at;
  const std::vector<std::string> texts = FilledTexts(r);
  const std::string first = texts.empty() ? r.body : texts.front();
  entry.title = !r.prompt.empty() ? FirstLine(r.prompt, 80) : FirstLine(first, 80);
  entry.detail = FirstLine(texts.size() > 1 ? texts.back() : r.body, 160);
  if (entry.detail.isEmpty()) entry.detail = FirstLine(first, 160);
  return entry;
}

// "free" first, then the library's kinds in their order, then any other.
int KindRank(const std::string& kind) {
  if (kind == "free") return -1;
  const auto& kinds = sc::ReflectionKinds();
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i].name == kind) return static_cast<int>(i);
  }
  return static_cast<int>(kinds.size());
}

}  // namespace

DashboardData ComputeDashboard(const std::vector<sc::HistoryItem>& items, int64_t from_unix_ms,
                               int64_t to_unix_ms) {
  DashboardData data;
  data.from_unix_ms = from_unix_ms;
  data.to_unix_ms = to_unix_ms;
  struct EmotionAccumulator {
    std::vector<SeriesPoint> points;
    double sum = 0;
  };
  std::map<QString, EmotionAccumulator> emotions;
  std::map<std::pair<int, std::string>, std::vector<ReflectionEntry>> reflections;

  for (const sc::HistoryItem& item : items) {
    const int64_t at = item.sent_at_unix_ms;
    if (at < from_unix_ms || at > to_unix_ms) continue;
    const double t = static_cast<double>(at);
    if (const auto* c = std::get_if<sc::CheckIn>(&item.content)) {
      ++data.check_ins;
      data.mood.push_back({t, static_cast<double>(c->mood)});
      if (c->energy) data.energy.push_back({t, static_cast<double>(*c->energy)});
      if (c->sleep_hours) data.sleep.push_back({t, *c->sleep_hours});
      for (const sc::Emotion& e : c->emotions) {
        auto& acc = emotions[QString::fromStdString(e.name).trimmed().toLower()];
        acc.points.push_back({t, static_cast<double>(e.intensity)});
        acc.sum += e.intensity;
      }
      for (const sc::QuestionnaireAnswers& answers : c->questionnaires) {
        const MeasureScore score = Score(answers);
        if (!score.complete) continue;
        auto& series = answers.questionnaire == sc::Questionnaire::kPhq9 ? data.phq9 : data.gad7;
        series.push_back({t, static_cast<double>(score.total)});
      }
    } else if (const auto* r = std::get_if<sc::Reflection>(&item.content)) {
      reflections[{KindRank(r->kind), r->kind}].push_back(EntryFor(*r, at));
    }
  }

  auto by_time = [](const SeriesPoint& a, const SeriesPoint& b) { return a.unix_ms < b.unix_ms; };
  for (auto* series : {&data.mood, &data.energy, &data.sleep, &data.phq9, &data.gad7}) {
    std::stable_sort(series->begin(), series->end(), by_time);
  }
  for (auto& [name, acc] : emotions) {
    std::stable_sort(acc.points.begin(), acc.points.end(), by_time);
    data.emotions.push_back({name, std::move(acc.points), 0});
    data.emotions.back().average =
        acc.sum / static_cast<double>(data.emotions.back().points.size());
  }
  std::stable_sort(data.emotions.begin(), data.emotions.end(),
                   [](const EmotionSeries& a, const EmotionSeries& b) {
                     return a.points.size() > b.points.size();
                   });
  for (auto& [kind, entries] : reflections) {
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const ReflectionEntry& a, const ReflectionEntry& b) { return a.unix_ms > b.unix_ms; });
    data.reflections.push_back({ReflectionKindLabel(kind.second), std::move(entries)});
  }
  return data;
}

}  // namespace securebase::desktop
