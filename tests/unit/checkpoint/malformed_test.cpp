// Untrusted input: malformed files generated from a seeded list of failure kinds. Each must give exactly one
// CheckpointError whose message names the file, the tensor (when one is at fault) and the problem; nothing
// crashes and nothing is written.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/checkpoint/checkpoint.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

struct Entry {
  std::string name, dtype = "F32", shape, offsets;  // JSON text of each field
};

std::string header_json(const std::vector<Entry>& entries, const std::string& metadata = R"({"format":"pt"})") {
  std::string h = "{";
  if (!metadata.empty()) h += "\"__metadata__\":" + metadata;
  for (const auto& e : entries) {
    if (h.size() > 1) h += ",";
    h += "\"" + e.name + "\":{\"dtype\":\"" + e.dtype + "\",\"shape\":" + e.shape + ",\"data_offsets\":" + e.offsets + "}";
  }
  return h + "}";
}

std::string file_bytes(const std::string& header, std::size_t data_bytes, std::uint64_t length_field = UINT64_MAX) {
  std::string s(8, '\0');
  const std::uint64_t n = length_field == UINT64_MAX ? header.size() : length_field;
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s + header + std::string(data_bytes, '\x01');
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A valid F32 layout of 2..4 tensors t0..tK with random shapes, contiguous offsets.
struct Layout {
  std::vector<Entry> entries;
  std::vector<std::uint64_t> begin, end;
  std::size_t data_bytes = 0;
};
Layout random_layout(std::mt19937& rng) {
  Layout l;
  const int n = 2 + static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i) {
    const std::uint64_t rows = 1 + rng() % 5, cols = 1 + rng() % 7;
    const std::uint64_t b = l.data_bytes, e = b + rows * cols * 4;
    l.entries.push_back({"t" + std::to_string(i), "F32", "[" + std::to_string(rows) + "," + std::to_string(cols) + "]",
                         "[" + std::to_string(b) + "," + std::to_string(e) + "]"});
    l.begin.push_back(b);
    l.end.push_back(e);
    l.data_bytes = e;
  }
  return l;
}

struct Case {
  std::string kind;
  std::string path_in_message;  // the file the message must name
  std::string tensor;           // the tensor the message must name ("" = none)
  std::string problem;          // a fragment of the problem text
  std::string extra;            // another fragment that must appear ("" = none)
};

/// Writes one malformed checkpoint of `kind` into `dir` and says what the error must mention.
/// Returns the path to open.
std::string make_case(const std::string& kind, std::mt19937& rng, const fs::path& dir, Case& c) {
  Layout l = random_layout(rng);
  const std::size_t victim = rng() % l.entries.size();
  const std::string vname = l.entries[victim].name;
  const std::string file = (dir / "model.safetensors").string();
  c.kind = kind;
  c.path_in_message = file;
  auto single = [&](const std::string& bytes) {
    write_file(file, bytes);
    return file;
  };
  if (kind == "truncated_header") {
    c.problem = "too short";
    return single(file_bytes(header_json(l.entries), l.data_bytes).substr(0, rng() % 8));
  }
  if (kind == "header_length_past_file") {
    const std::string h = header_json(l.entries);
    c.problem = "runs past the end of the file";
    return single(file_bytes(h, l.data_bytes, h.size() + l.data_bytes + 1 + rng() % 1000));
  }
  if (kind == "header_length_over_limit") {
    c.problem = "exceeds the 100000000-byte limit";
    return single(file_bytes(header_json(l.entries), l.data_bytes, kMaxHeaderBytes + 1 + rng() % 100000));
  }
  if (kind == "invalid_json") {
    std::string h = header_json(l.entries);
    const std::size_t cut = 1 + rng() % (h.size() - 1);
    h = h.substr(0, cut) + std::string(h.size() - cut, ' ');  // same length, JSON broken off
    c.problem = "not valid JSON";
    return single(file_bytes(h, l.data_bytes));
  }
  if (kind == "invalid_utf8") {
    l.entries[victim].name += "\xff";
    c.problem = "not valid UTF-8";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  if (kind == "metadata_not_string_map") {
    const char* bad[] = {R"({"format":1})", R"({"format":["pt"]})", R"(["pt"])", R"({"a":"b","c":null})"};
    c.problem = "__metadata__";
    return single(file_bytes(header_json(l.entries, bad[rng() % 4]), l.data_bytes));
  }
  if (kind == "overlapping_offsets") {
    // move the victim so that it starts inside another tensor
    const std::size_t other = (victim + 1) % l.entries.size();
    const std::uint64_t size = l.end[victim] - l.begin[victim];
    const std::uint64_t b = l.begin[other] + 4 * (rng() % ((l.end[other] - l.begin[other]) / 4));
    l.entries[victim].offsets = "[" + std::to_string(b) + "," + std::to_string(b + size) + "]";
    c.problem = "overlap";
    // the later-starting of the two is reported as the tensor; both names appear in the message
    c.extra = "'" + vname + "'";
    return single(file_bytes(header_json(l.entries), std::max<std::size_t>(l.data_bytes, b + size)));
  }
  if (kind == "gap_between_tensors") {  // every tensor after the victim moves up: a hole, a polyglot's room
    const std::uint64_t gap = 4 * (1 + rng() % 50);
    for (std::size_t i = victim; i < l.entries.size(); ++i)
      l.entries[i].offsets = "[" + std::to_string(l.begin[i] + gap) + "," + std::to_string(l.end[i] + gap) + "]";
    c.tensor = vname;
    c.problem = "leave a gap of " + std::to_string(gap) + " bytes [" + std::to_string(l.begin[victim]) + ", " +
                std::to_string(l.begin[victim] + gap) + ")";
    c.extra = "no gap, overlap or trailing byte";
    return single(file_bytes(header_json(l.entries), l.data_bytes + gap));
  }
  if (kind == "trailing_bytes") {
    const std::size_t extra = 1 + rng() % 300;
    c.problem = std::to_string(extra) + " trailing bytes [" + std::to_string(l.data_bytes) + ", " +
                std::to_string(l.data_bytes + extra) + ") belong to no tensor";
    c.extra = "no gap, overlap or trailing byte";
    return single(file_bytes(header_json(l.entries), l.data_bytes + extra));
  }
  if (kind == "out_of_range_offsets") {
    const std::uint64_t size = l.end[victim] - l.begin[victim];
    const std::uint64_t b = l.data_bytes + 4 * (rng() % 100);
    l.entries[victim].offsets = "[" + std::to_string(b) + "," + std::to_string(b + size) + "]";
    c.tensor = vname;
    c.problem = "run past the data section";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  if (kind == "size_not_matching_shape") {
    l.entries[victim].shape = "[" + std::to_string((l.end[victim] - l.begin[victim]) / 4 + 1 + rng() % 5) + "]";
    c.tensor = vname;
    c.problem = "needs";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  if (kind == "begin_after_end") {
    l.entries[victim].offsets = "[" + std::to_string(l.end[victim]) + "," + std::to_string(l.begin[victim]) + "]";
    c.tensor = vname;
    c.problem = "begin after end";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  if (kind == "unknown_dtype") {
    const char* bad[] = {"F33", "f32", "FLOAT", "", "Q4_K"};
    l.entries[victim].dtype = bad[rng() % 5];
    c.tensor = vname;
    c.problem = "unknown dtype";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  if (kind == "duplicate_names") {
    const std::size_t other = (victim + 1) % l.entries.size();
    l.entries[other].name = vname;  // same key twice in the header object
    c.tensor = vname;
    c.problem = "more than once";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  if (kind == "shape_product_overflow") {
    const char* bad[] = {"[4294967296,4294967296]", "[18446744073709551615,2]", "[65536,65536,65536,65536,2]"};
    l.entries[victim].shape = bad[rng() % 3];
    c.tensor = vname;
    c.problem = "overflows 64 bits";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  if (kind == "negative_shape") {
    l.entries[victim].shape = "[-" + std::to_string(1 + rng() % 9) + ",4]";
    c.tensor = vname;
    c.problem = "not a non-negative integer";
    return single(file_bytes(header_json(l.entries), l.data_bytes));
  }
  // Sharded kinds: two valid shards; the index is the broken part.
  Layout l2 = random_layout(rng);
  for (auto& e : l2.entries) e.name = "u" + e.name.substr(1);
  write_file((dir / "model-00001-of-00002.safetensors").string(), file_bytes(header_json(l.entries), l.data_bytes));
  write_file((dir / "model-00002-of-00002.safetensors").string(), file_bytes(header_json(l2.entries), l2.data_bytes));
  const std::string index = (dir / kIndexFileName).string();
  std::map<std::string, std::string> wm;
  for (const auto& e : l.entries) wm[e.name] = "model-00001-of-00002.safetensors";
  for (const auto& e : l2.entries) wm[e.name] = "model-00002-of-00002.safetensors";
  c.path_in_message = index;
  c.tensor = vname;
  if (kind == "index_missing_shard") {
    wm[vname] = "model-00003-of-00003.safetensors";
    c.problem = "does not exist";
  } else if (kind == "index_tensor_not_in_shard") {
    wm[vname] = "model-00002-of-00002.safetensors";
    c.problem = "has no such tensor";
  } else if (kind == "index_unlisted_tensor") {
    wm.erase(vname);
    c.path_in_message = (dir / "model-00001-of-00002.safetensors").string();
    c.problem = "not listed in";
  } else if (kind == "index_path_traversal") {
    wm[vname] = "../model-00001-of-00002.safetensors";
    c.problem = "not a plain file name";
  } else if (kind == "tensor_in_two_shards") {
    // shard 2 also holds the victim
    l2.entries.push_back({vname, "F32", l.entries[victim].shape,
                          "[" + std::to_string(l2.data_bytes) + "," +
                              std::to_string(l2.data_bytes + l.end[victim] - l.begin[victim]) + "]"});
    write_file((dir / "model-00002-of-00002.safetensors").string(),
               file_bytes(header_json(l2.entries), l2.data_bytes + l.end[victim] - l.begin[victim]));
    c.path_in_message = (dir / "model-00002-of-00002.safetensors").string();
    c.problem = "also present in shard";
  } else if (kind == "index_invalid_json") {
    write_file(index, "{\"weight_map\": {\"" + vname + "\": \"model-00001-of-00002.safetensors\",}");
    c.tensor = "";
    c.problem = "index is not valid JSON";
    return index;
  } else if (kind == "index_duplicate_entry") {
    std::string j = "{\"metadata\":{\"total_size\":1},\"weight_map\":{";
    for (const auto& [k, v] : wm) j += "\"" + k + "\":\"" + v + "\",";
    j += "\"" + vname + "\":\"model-00002-of-00002.safetensors\"}}";
    write_file(index, j);
    c.tensor = "";
    c.problem = "'" + vname + "' more than once";
    return index;
  } else {
    ADD_FAILURE() << "unknown kind " << kind;
  }
  nlohmann::json j;
  j["metadata"]["total_size"] = 0;
  j["weight_map"] = wm;
  write_file(index, j.dump());
  return dir.string();  // open the directory: it finds the index
}

const std::vector<std::string> kKinds = {
    "truncated_header",     "header_length_past_file", "header_length_over_limit", "invalid_json",
    "invalid_utf8",         "metadata_not_string_map", "overlapping_offsets",      "out_of_range_offsets",
    "size_not_matching_shape", "begin_after_end",      "unknown_dtype",            "duplicate_names",
    "shape_product_overflow",  "negative_shape",       "index_missing_shard",      "index_tensor_not_in_shard",
    "index_unlisted_tensor",   "index_path_traversal", "tensor_in_two_shards",     "index_invalid_json",
    "index_duplicate_entry",   "gap_between_tensors",  "trailing_bytes"};

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> s;
  for (const auto& e : fs::directory_iterator(dir)) s.insert(e.path().filename().string() + ":" + std::to_string(e.file_size()));
  return s;
}

TEST(Malformed, EveryFailureKindGivesOneClearError) {
  std::mt19937 rng(20240605);
  for (const auto& kind : kKinds) {
    for (int variant = 0; variant < 8; ++variant) {
      TempDir dir;
      Case c;
      const std::string path = make_case(kind, rng, dir.path, c);
      SCOPED_TRACE(kind + " #" + std::to_string(variant));
      const auto before = listing(dir.path);
      try {
        const Checkpoint ck = Checkpoint::open(path);
        ADD_FAILURE() << "opened without error";
      } catch (const CheckpointError& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;  // one line
        EXPECT_EQ(e.file(), c.path_in_message) << msg;
        EXPECT_EQ(msg.rfind(c.path_in_message, 0), 0u) << msg;  // starts with the file
        if (!c.tensor.empty()) {
          EXPECT_NE(msg.find("tensor '" + c.tensor + "'"), std::string::npos) << msg;
        }
        EXPECT_NE(msg.find(c.extra), std::string::npos) << msg;
        EXPECT_NE(msg.find(c.problem), std::string::npos) << msg;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
      }
      EXPECT_EQ(listing(dir.path), before);  // nothing written
    }
  }
}

TEST(Malformed, OverlapMessageNamesBothTensors) {
  TempDir dir;
  const std::string f = dir.file("x.safetensors");
  write_file(f, file_bytes(header_json({{"a", "F32", "[4]", "[0,16]"}, {"b", "F32", "[2]", "[8,16]"}}), 16));
  try {
    Checkpoint::open(f);
    FAIL();
  } catch (const CheckpointError& e) {
    EXPECT_EQ(std::string(e.what()), f + ": tensor 'b': data_offsets [8, 16] overlap those of 'a' [0, 16] (the "
                                         "tensors must cover the data section exactly, in any order, with no gap, "
                                         "overlap or trailing byte)");
  }
}

TEST(Malformed, EdgeCasesThatAreValid) {
  TempDir dir;
  // scalar (shape []), zero-size tensors sharing an offset, no metadata, header order unlike data order
  const std::string f = dir.file("ok.safetensors");
  write_file(f, file_bytes(header_json({{"i", "I64", "[1]", "[8,16]"},
                                        {"z1", "F32", "[0,5]", "[8,8]"},
                                        {"s", "F64", "[]", "[0,8]"},
                                        {"z2", "BF16", "[3,0]", "[8,8]"}},
                                       ""),
                           16));
  const Checkpoint ck = Checkpoint::open(f);
  EXPECT_EQ(ck.tensors().size(), 4u);
  EXPECT_EQ(ck.at("s").numel, 1u);
  EXPECT_EQ(ck.at("z1").numel, 0u);
  EXPECT_EQ(ck.read_vector("z2").size(), 0);
  EXPECT_TRUE(ck.metadata().empty());
  // "__metadata__": null means no metadata, as in the reference reader
  const std::string fn = dir.file("null_meta.safetensors");
  write_file(fn, file_bytes(header_json({{"a", "F16", "[2]", "[0,4]"}}, "null"), 4));
  EXPECT_TRUE(Checkpoint::open(fn).metadata().empty());
  // integers are read and reported, but converting them for merging is refused, naming file and tensor
  EXPECT_EQ(ck.raw("i").size(), 8u);
  try {
    ck.read_vector("i");
    FAIL();
  } catch (const CheckpointError& e) {
    EXPECT_EQ(std::string(e.what()), f + ": tensor 'i': cannot convert I64 to f32 for merging "
                                         "(only F32, F16, BF16 and F64 tensors can be merged)");
  }
}

}  // namespace
}  // namespace mergelab::ckpt
