#include "core/lm/bpe.h"

#include <algorithm>
#include <cstdio>

#include "core/lm/byte_level.h"
#include "core/lm/lm_error.h"
#include "core/lm/utf8.h"

namespace mergelab::lm {

namespace {

std::uint64_t pair_key(std::int32_t left, std::int32_t right) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) | static_cast<std::uint32_t>(right);
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser: spreads both halves over the low bits
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Min-heap order on (rank, pos): the lowest rank first, the leftmost among equal ranks.
bool later(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
}

}  // namespace

void BpeModel::PairTable::reserve(std::size_t n) {
  std::size_t cap = 16;
  while (cap < 2 * n) cap *= 2;
  slots.assign(cap, Slot{});
  mask = cap - 1;
}

void BpeModel::PairTable::insert(std::int32_t left, std::int32_t right, std::int32_t rank, std::int32_t merged) {
  const std::uint64_t key = pair_key(left, right);
  for (std::uint64_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (slots[i].key == kEmpty || slots[i].key == key) {
      slots[i] = Slot{key, rank, merged};
      return;
    }
  }
}

const BpeModel::PairTable::Slot* BpeModel::PairTable::find(std::int32_t left, std::int32_t right) const {
  const std::uint64_t key = pair_key(left, right);
  for (std::uint64_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (slots[i].key == key) return &slots[i];
    if (slots[i].key == kEmpty) return nullptr;
  }
}

BpeModel BpeModel::build(const Vocab& vocab, const Merges& merges, const BpeOptions& options, const std::string& file) {
  BpeModel m;
  m.options_ = options;
  m.vocab_.reserve(vocab.size());
  std::unordered_map<std::int32_t, const std::string*> owner;
  owner.reserve(vocab.size());
  for (const auto& [token, id] : vocab) {
    if (id < 0) throw LmError(file + ": model.vocab: token '" + token + "' has a negative id " + std::to_string(id));
    const auto [it, fresh] = owner.emplace(id, &token);
    if (!fresh)
      throw LmError(file + ": model.vocab: tokens '" + *it->second + "' and '" + token + "' share id " +
                    std::to_string(id));
    m.vocab_.emplace(token, id);
  }
  if (options.unk_token) {
    const auto id = m.find(*options.unk_token);
    if (!id) throw LmError(file + ": model.unk_token '" + *options.unk_token + "' is not in model.vocab");
    m.unk_id_ = *id;
  }
  for (int b = 0; b < 256; ++b) {
    m.byte_char_id_[b] = m.find(byte_level::byte_to_utf8(static_cast<std::uint8_t>(b))).value_or(-1);
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    m.fallback_id_[b] = m.find(name).value_or(-1);
  }
  m.pairs_.reserve(merges.size());
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const std::string& a = merges[rank].first;  // named, not a structured binding: lambdas capture it on every compiler
    const std::string& b = merges[rank].second;
    const auto where = [&] { return file + ": model.merges[" + std::to_string(rank) + "] ('" + a + "', '" + b + "'): "; };
    const auto left = m.find(a), right = m.find(b);
    if (!left) throw LmError(where() + "'" + a + "' is not in model.vocab");
    if (!right) throw LmError(where() + "'" + b + "' is not in model.vocab");
    const auto merged = m.find(a + b);
    if (!merged) throw LmError(where() + "the merged token '" + a + b + "' is not in model.vocab");
    m.pairs_.insert(*left, *right, static_cast<std::int32_t>(rank), *merged);
  }
  m.merge_count_ = merges.size();
  return m;
}

std::optional<std::int32_t> BpeModel::find(std::string_view token) const {
  const auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

// A character missing from the vocabulary: byte fallback, else unk (fused), else dropped.
void BpeModel::add_missing(std::string_view unit, bool& last_was_unk, BpeScratch& s) const {
  if (options_.byte_fallback &&
      std::all_of(unit.begin(), unit.end(), [&](char c) { return fallback_id_[static_cast<std::uint8_t>(c)] >= 0; })) {
    for (const char c : unit) s.ids.push_back(fallback_id_[static_cast<std::uint8_t>(c)]);
    last_was_unk = false;
    return;
  }
  if (unk_id_ < 0) return;  // no unk token: tokenizers drops the character
  if (!(options_.fuse_unk && last_was_unk)) s.ids.push_back(unk_id_);
  last_was_unk = true;
}

void BpeModel::encode_piece(std::string_view piece, bool byte_level, std::vector<std::int32_t>& out,
                            BpeScratch& s) const {
  if (piece.empty()) return;
  if (options_.ignore_merges) {
    std::optional<std::int32_t> whole;
    if (byte_level) {
      s.mapped.clear();
      for (const char c : piece) s.mapped += byte_level::byte_to_utf8(static_cast<std::uint8_t>(c));
      whole = find(s.mapped);
    } else {
      whole = find(piece);
    }
    if (whole) {
      out.push_back(*whole);
      return;
    }
  }
  // The initial symbols.
  s.ids.clear();
  bool last_was_unk = false;
  if (byte_level) {
    for (const char c : piece) {
      const auto b = static_cast<std::uint8_t>(c);
      if (byte_char_id_[b] >= 0) {
        s.ids.push_back(byte_char_id_[b]);
        last_was_unk = false;
      } else {
        add_missing(byte_level::byte_to_utf8(b), last_was_unk, s);
      }
    }
  } else {
    for (std::size_t i = 0; i < piece.size();) {
      const std::size_t start = i;
      utf8::next(piece, i);
      const std::string_view unit = piece.substr(start, i - start);
      if (const auto id = find(unit)) {
        s.ids.push_back(*id);
        last_was_unk = false;
      } else {
        add_missing(unit, last_was_unk, s);
      }
    }
  }
  if (s.ids.size() <= 1) {
    out.insert(out.end(), s.ids.begin(), s.ids.end());
  } else if (s.ids.size() <= kScanLimit) {
    merge_by_scan(s, out);
  } else {
    merge_by_heap(s, out);
  }
}

// Short pieces: ranks of the adjacent pairs in an array; each step merges the leftmost lowest rank and
// refreshes the two pairs around it. (Merging pair (a, b) cannot create another (a, b), so "leftmost lowest"
// is the heap's order too.)
void BpeModel::merge_by_scan(BpeScratch& s, std::vector<std::int32_t>& out) const {
  constexpr std::int32_t kNone = INT32_MAX;
  auto& ids = s.ids;
  auto& ranks = s.ranks;
  auto& merged = s.merged;
  const auto rank_at = [&](std::size_t k) {
    if (const auto* slot = pairs_.find(ids[k], ids[k + 1])) {
      ranks[k] = slot->rank;
      merged[k] = slot->merged;
    } else {
      ranks[k] = kNone;
    }
  };
  std::size_t n = ids.size();
  ranks.resize(n);
  merged.resize(n);
  for (std::size_t k = 0; k + 1 < n; ++k) rank_at(k);
  ranks[n - 1] = kNone;
  while (n > 1) {
    std::size_t best = 0;
    for (std::size_t k = 1; k + 1 < n; ++k)
      if (ranks[k] < ranks[best]) best = k;
    if (ranks[best] == kNone) break;
    ids[best] = merged[best];
    for (std::size_t k = best + 1; k + 1 < n; ++k) {
      ids[k] = ids[k + 1];
      ranks[k] = ranks[k + 1];
      merged[k] = merged[k + 1];
    }
    --n;
    ranks[n - 1] = kNone;
    if (best + 1 < n) rank_at(best);
    if (best > 0) rank_at(best - 1);
  }
  out.insert(out.end(), ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n));
}

void BpeModel::merge_by_heap(BpeScratch& s, std::vector<std::int32_t>& out) const {
  auto& sym = s.symbols;
  sym.resize(s.ids.size());
  for (std::size_t k = 0; k < sym.size(); ++k)
    sym[k] = {s.ids[k], static_cast<std::int32_t>(k) - 1, static_cast<std::int32_t>(k) + 1};
  sym.back().next = -1;

  auto& heap = s.heap;
  heap.clear();
  // The candidate pair starting at symbol `pos`, if ranked.
  const auto candidate = [&](std::int32_t pos, BpeScratch::Candidate& c) {
    const std::int32_t next = sym[pos].next;
    if (next < 0) return false;
    const auto* slot = pairs_.find(sym[pos].id, sym[next].id);
    if (!slot) return false;
    c = {slot->rank, pos, sym[pos].id, sym[next].id, slot->merged};
    return true;
  };
  const auto offer = [&](std::int32_t pos) {
    BpeScratch::Candidate c;
    if (!candidate(pos, c)) return;
    heap.push_back(c);
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (std::int32_t i = 0; i + 1 < static_cast<std::int32_t>(sym.size()); ++i) {
    BpeScratch::Candidate c;
    if (candidate(i, c)) heap.push_back(c);
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const BpeScratch::Candidate top = heap.back();
    heap.pop_back();
    // A candidate is stale when either symbol changed since it was offered (symbols only grow, so equal ids
    // mean the very same pair).
    auto& left = sym[top.pos];
    if (left.id != top.left || left.next < 0 || sym[left.next].id != top.right) continue;
    const std::int32_t gone = left.next;
    left.id = top.merged;
    left.next = sym[gone].next;
    sym[gone].id = -1;
    if (left.next >= 0) sym[left.next].prev = top.pos;
    if (left.prev >= 0) offer(left.prev);
    offer(top.pos);
  }
  for (std::int32_t i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
}

}  // namespace mergelab::lm
