// The BPE model of a tokenizer.json: vocabulary, ranked merges, unknown-token and byte-fallback rules.
//
//   BpeModel m = BpeModel::build(vocab, merges, options, "tokenizer.json");
//   BpeScratch scratch;                       // one per thread / per encode call
//   m.encode_piece("Ġhello", false, ids, scratch);
//
// encode_piece follows Hugging Face tokenizers' BPE: the piece is cut into characters (or, for byte-level
// models, into bytes each standing for its bytes_to_unicode character); a character missing from the
// vocabulary becomes its `<0xNN>` byte tokens (byte_fallback, when all of them exist), else the unk token
// (consecutive unks fused into one with fuse_unk), else it is dropped. Then, repeatedly, the adjacent pair
// with the lowest merge rank is merged (leftmost occurrence first, so all non-overlapping occurrences of that
// pair go left to right) until no adjacent pair is ranked. With ignore_merges a piece that is itself in the
// vocabulary is emitted whole. Pieces of up to kScanLimit symbols use a rank scan over a small array (the
// common case: words); longer ones a binary heap of (rank, position) over a linked list of symbols, O(n log n).
// Both give the same merges (tests pin them to a step-by-step reference); the scratch buffers are reused, so
// the hot loop allocates nothing once warm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mergelab::lm {

struct BpeOptions {
  std::optional<std::string> unk_token;  ///< model.unk_token; must be in the vocabulary when set
  bool fuse_unk = false;                 ///< merge consecutive unknown characters into one unk
  bool byte_fallback = false;            ///< unknown characters become their <0xNN> byte tokens
  bool ignore_merges = false;            ///< a piece found whole in the vocabulary skips merging
};

/// Reusable buffers of encode_piece (not shared between threads).
struct BpeScratch {
  struct Symbol {
    std::int32_t id, prev, next;  ///< id -1 = absorbed by its left neighbour
  };
  struct Candidate {
    std::int32_t rank, pos, left, right, merged;  ///< pair (left, right) at symbol pos merges into `merged`
  };
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
  std::vector<std::int32_t> ids, ranks, merged;  ///< rank-scan state for short pieces
  std::string mapped;  ///< byte-level text of a piece (ignore_merges lookups)
};

class BpeModel {
 public:
  /// Pieces with at most this many initial symbols are merged by rank scan, longer ones through the heap.
  static constexpr std::size_t kScanLimit = 48;

  using Vocab = std::vector<std::pair<std::string, std::int32_t>>;
  using Merges = std::vector<std::pair<std::string, std::string>>;

  /// `merges` in rank order (index = rank). Throws LmError "<file>: ..." for a merge naming a token that is
  /// not in `vocab`, a merge whose concatenation is not in `vocab`, an unk token missing from `vocab`, or two
  /// tokens sharing an id. A pair listed twice keeps its last rank (as tokenizers does).
  static BpeModel build(const Vocab& vocab, const Merges& merges, const BpeOptions& options, const std::string& file);

  /// Appends the ids of one pre-tokenized piece to `out`. byte_level: `piece` holds raw bytes, each standing
  /// for its bytes_to_unicode character (the ByteLevel pre-tokenizer's mapping, done here); else `piece` is
  /// the UTF-8 text whose characters are vocabulary symbols. Thread-safe (const; state lives in `scratch`).
  void encode_piece(std::string_view piece, bool byte_level, std::vector<std::int32_t>& out, BpeScratch& scratch) const;

  /// Id of `token` in the vocabulary.
  std::optional<std::int32_t> find(std::string_view token) const;

  /// Number of merges (ranks 0..merges()-1).
  std::size_t merges() const { return merge_count_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Open-addressing table (pair of ids -> rank and merged id); linear probing, power-of-two capacity.
  struct PairTable {
    struct Slot {
      std::uint64_t key = kEmpty;
      std::int32_t rank = 0, merged = 0;
    };
    static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
    std::vector<Slot> slots;
    std::uint64_t mask = 0;
    void reserve(std::size_t n);
    void insert(std::int32_t left, std::int32_t right, std::int32_t rank, std::int32_t merged);
    const Slot* find(std::int32_t left, std::int32_t right) const;
  };

  void add_missing(std::string_view unit, bool& last_was_unk, BpeScratch& s) const;
  void merge_by_scan(BpeScratch& s, std::vector<std::int32_t>& out) const;
  void merge_by_heap(BpeScratch& s, std::vector<std::int32_t>& out) const;

  std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>> vocab_;
  PairTable pairs_;
  std::size_t merge_count_ = 0;
  std::int32_t byte_char_id_[256];  ///< id of bytes_to_unicode(b), or -1
  std::int32_t fallback_id_[256];   ///< id of "<0xNN>", or -1
  std::int32_t unk_id_ = -1;
  BpeOptions options_;
};

}  // namespace mergelab::lm
