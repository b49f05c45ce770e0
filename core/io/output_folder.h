// Where a command may write: never into the folder (or inside the folder) of its own input,
// and never into a folder that already holds something unless the person said so.
//
//   fm::checkOutputFolder(out, "the merged model", overwrite, {baseModel, adapter});
//
// Thread safety: reads the file system only.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace fm {

// Throws ConfigError when `out` is, or is inside, one of `inputs`, or exists and is not empty
// (and `overwrite` is false; the message names what is there and offers --overwrite); IoError
// when `out` is an existing file. `what` names the output for the message.
void checkOutputFolder(const std::filesystem::path& out, const std::string& what, bool overwrite,
                       const std::vector<std::filesystem::path>& inputs = {});

}  // namespace fm
