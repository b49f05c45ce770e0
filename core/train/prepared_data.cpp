#include "train/prepared_data.h"

#include "util/error.h"
#include "util/paths.h"

namespace fm {

PreparedData prepareData(const TrainConfig& c, const Tokenizer& tok, const JobContext& job) {
  PreparedData p;
  ReadOptions ro;
  ro.format = c.format;
  ro.skipBadRows = c.skipBadRows;
  ro.job = job.part(0, 0.3, "reading the data");
  p.dataset = readDataset(pathOf(c.data), ro);
  p.tpl = c.tpl;
  if (p.tpl.prompt.empty() && p.tpl.completion.empty() && !p.tpl.chat) {
    p.tpl = TemplateSpec::forKind(p.dataset.kind);
    p.tpl.trainOnPrompt = p.tpl.trainOnPrompt || c.tpl.trainOnPrompt;
    if (p.tpl.completion.empty() && !p.tpl.chat) {
      std::string cols;
      for (const auto& col : p.dataset.columns) cols += (cols.empty() ? "" : ", ") + col;
      throw ConfigError(c.data + ": the columns (" + cols +
                        ") need a template: set prompt_template and completion_template with {column} placeholders");
    }
  }
  BuildOptions bo;
  bo.maxLength = c.maxLength;
  bo.skipBadRows = c.skipBadRows;
  bo.job = job.part(0.3, 1, "tokenizing");
  p.examples = buildExamples(p.dataset, p.tpl, tok, bo);
  for (const auto& prob : p.dataset.problems) p.examples.problems.push_back(prob);
  p.split = splitExamples(static_cast<int64_t>(p.examples.examples.size()), c.validationFraction, c.seed);
  return p;
}

nlohmann::json dataStatsJson(const DatasetStats& st, const std::vector<DatasetProblem>& problems) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < problems.size() && i < 100; ++i)
    list.push_back({{"line", problems[i].line}, {"message", problems[i].message}});
  return {{"rows", st.rows}, {"train_rows", st.trainRows}, {"validation_rows", st.validationRows},
          {"skipped_rows", st.skippedRows}, {"truncated_rows", st.truncatedRows},
          {"max_length", st.maxLength}, {"longest", st.longest}, {"mean_length", st.meanLength},
          {"p50", st.p50}, {"p95", st.p95}, {"hist_edges", st.histEdges}, {"hist_counts", st.histCounts},
          {"labels", st.labels}, {"duplicate_rows", st.duplicateRows}, {"leaked_rows", st.leakedRows},
          {"problems", list}};
}

}  // namespace fm
