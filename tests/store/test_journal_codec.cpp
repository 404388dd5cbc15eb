#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "store/journal.hpp"
#include "store/journal_codec.hpp"

namespace hs = herald::store;

BOOST_AUTO_TEST_SUITE(journal_codec)

BOOST_AUTO_TEST_CASE(entries_round_trip_with_any_bytes) {
  std::vector<hs::journal_entry> entries{
      {0, "/subscriptions/x/resourceGroups/y", "id-0"},
      {4'000'000'000U, std::string("nul\0inside", 10), ""},
      {7, "", std::string(70'000, 'z')},
  };
  auto back = hs::unpack_entries(hs::pack_entries(entries));
  BOOST_REQUIRE(back);
  BOOST_REQUIRE(back.value().size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(back.value()[i].index == entries[i].index);
    BOOST_TEST(back.value()[i].source == entries[i].source);
    BOOST_TEST(back.value()[i].event_id == entries[i].event_id);
  }
  BOOST_TEST(hs::unpack_entries("").value().empty());
}

BOOST_AUTO_TEST_CASE(a_truncated_blob_is_corrupt) {
  auto packed = hs::pack_entries({{1, "/src", "id"}});
  for (std::size_t cut = 1; cut < packed.size(); ++cut) {
    auto r = hs::unpack_entries(std::string_view(packed).substr(0, cut));
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().code == hs::errc::corrupt));
  }
  auto keys = hs::pack_keys({"0123456789abcde", "k"});
  BOOST_TEST(hs::unpack_keys(keys).value().size() == 2u);
  BOOST_TEST(!hs::unpack_keys(std::string_view(keys).substr(0, keys.size() - 1)));
}

BOOST_AUTO_TEST_CASE(entry_ids_keep_batch_and_position_apart) {
  auto id = hs::make_entry_id(123'456'789, hs::max_batch_events - 1);
  BOOST_TEST(hs::batch_of(id) == 123'456'789);
  BOOST_TEST(hs::position_of(id) == hs::max_batch_events - 1);
  BOOST_TEST(hs::make_entry_id(1, 0) > hs::make_entry_id(0, hs::max_batch_events - 1));
}

BOOST_AUTO_TEST_CASE(done_bits_count_each_position_once) {
  auto bits = hs::done_bits::of_size(10);
  BOOST_TEST(bits.bits.size() == 2u);
  BOOST_TEST(bits.set(9));
  BOOST_TEST(!bits.set(9));
  BOOST_TEST(!bits.set(10)); // out of range
  for (std::size_t i = 0; i < 9; ++i) {
    BOOST_TEST(!bits.all());
    BOOST_TEST(bits.set(i));
  }
  BOOST_TEST(bits.all());
  auto stored = hs::done_bits::from_blob(bits.bits, 10);
  BOOST_TEST(stored.count == 10u);
  auto partial = hs::done_bits::from_blob(std::string(1, '\x05'), 10); // positions 0 and 2
  BOOST_TEST(partial.count == 2u);
  BOOST_TEST(partial.test(2));
  BOOST_TEST(!partial.test(1));
}

BOOST_AUTO_TEST_SUITE_END()
