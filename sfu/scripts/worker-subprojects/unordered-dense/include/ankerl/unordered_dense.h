// Stand-in for <ankerl/unordered_dense.h> (martinus/unordered_dense 4.8.1), which
// mediasoup 3.27's worker includes but whose sources no package registry reachable
// from here carries. It provides the part of the API the worker uses: map, set and
// hash, on abseil's Swiss tables (Debian 12's libabsl, which mediasoup itself used
// for these maps up to 3.12).
//
// The one behaviour the worker relies on that abseil lacks: erase(iterator)
// returning the iterator to continue with (`it = map.erase(it)` loops). abseil's
// returns void; erasing there invalidates only the erased element's iterator, so
// returning the next one is equivalent.
#ifndef KONFERENZ_ANKERL_UNORDERED_DENSE_SHIM_H
#define KONFERENZ_ANKERL_UNORDERED_DENSE_SHIM_H

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>
#include <functional>
#include <iterator>
#include <memory>
#include <utility>

namespace ankerl::unordered_dense
{
	template<class T>
	struct hash : absl::Hash<T>
	{
	};

	namespace detail
	{
		template<class Table>
		class table : public Table
		{
		public:
			using Table::Table;
			using Table::erase;

			typename Table::iterator erase(typename Table::iterator it)
			{
				auto next = std::next(it);
				Table::erase(it);

				return next;
			}
		};
	} // namespace detail

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = detail::table<absl::flat_hash_map<Key, T, Hash, KeyEqual, Allocator>>;

	template<
	  class Key,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<Key>>
	using set = detail::table<absl::flat_hash_set<Key, Hash, KeyEqual, Allocator>>;
} // namespace ankerl::unordered_dense

#endif
