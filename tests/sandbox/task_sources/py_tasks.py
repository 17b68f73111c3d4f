"""Sources of the shipped Python tasks: statement, slow reference and faster solutions (see gen.py)."""
# name -> dict(kind, entry_point, statement, reference, solutions{label: src})
TASKS = {}

TASKS["pair_sum_count"] = dict(kind="function", entry_point="pair_sum_count",
statement="""Count index pairs (i, j) with i < j and nums[i] + nums[j] == target.

`pair_sum_count(nums: list[int], target: int) -> int`
""",
reference='''def pair_sum_count(nums, target):
    count = 0
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == target:
                count += 1
    return count
''',
solutions={
"sorted_two_pointer": '''def pair_sum_count(nums, target):
    a = sorted(nums)
    i, j = 0, len(a) - 1
    count = 0
    while i < j:
        s = a[i] + a[j]
        if s < target:
            i += 1
        elif s > target:
            j -= 1
        elif a[i] == a[j]:
            k = j - i + 1
            count += k * (k - 1) // 2
            break
        else:
            left = right = 1
            while i + left < j and a[i + left] == a[i]:
                left += 1
            while j - right > i and a[j - right] == a[j]:
                right += 1
            count += left * right
            i += left
            j -= right
    return count
''',
"hash_counter": '''from collections import Counter


def pair_sum_count(nums, target):
    seen = Counter()
    count = 0
    for x in nums:
        count += seen[target - x]
        seen[x] += 1
    return count
''',
})

TASKS["max_subarray"] = dict(kind="function", entry_point="max_subarray",
statement="""Return the largest sum of a non-empty contiguous sub-list of `nums` (at least one element).

`max_subarray(nums: list[int]) -> int`
""",
reference='''def max_subarray(nums):
    best = nums[0]
    for i in range(len(nums)):
        total = 0
        for j in range(i, len(nums)):
            total += nums[j]
            if total > best:
                best = total
    return best
''',
solutions={
"divide_and_conquer": '''def max_subarray(nums):
    def solve(lo, hi):
        if lo == hi:
            return nums[lo]
        mid = (lo + hi) // 2
        best_left = cur = nums[mid]
        for k in range(mid - 1, lo - 1, -1):
            cur += nums[k]
            best_left = max(best_left, cur)
        best_right = cur = nums[mid + 1]
        for k in range(mid + 2, hi + 1):
            cur += nums[k]
            best_right = max(best_right, cur)
        return max(solve(lo, mid), solve(mid + 1, hi), best_left + best_right)

    return solve(0, len(nums) - 1)
''',
"kadane": '''def max_subarray(nums):
    best = cur = nums[0]
    for x in nums[1:]:
        cur = x if cur < 0 else cur + x
        if cur > best:
            best = cur
    return best
''',
})

TASKS["count_inversions"] = dict(kind="function", entry_point="count_inversions",
statement="""Count pairs (i, j) with i < j and nums[i] > nums[j].

`count_inversions(nums: list[int]) -> int`
""",
reference='''def count_inversions(nums):
    n = len(nums)
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            if nums[i] > nums[j]:
                count += 1
    return count
''',
solutions={
"bisect_insort": '''import bisect


def count_inversions(nums):
    seen = []
    count = 0
    for x in nums:
        count += len(seen) - bisect.bisect_right(seen, x)
        bisect.insort(seen, x)
    return count
''',
"merge_sort": '''def count_inversions(nums):
    def sort(a):
        if len(a) <= 1:
            return a, 0
        mid = len(a) // 2
        left, x = sort(a[:mid])
        right, y = sort(a[mid:])
        merged = []
        inv = x + y
        i = j = 0
        while i < len(left) and j < len(right):
            if left[i] <= right[j]:
                merged.append(left[i])
                i += 1
            else:
                merged.append(right[j])
                inv += len(left) - i
                j += 1
        merged.extend(left[i:])
        merged.extend(right[j:])
        return merged, inv

    return sort(list(nums))[1]
''',
})

TASKS["lcs_length"] = dict(kind="function", entry_point="lcs_length",
statement="""Length of the longest common subsequence of strings `a` and `b`.

`lcs_length(a: str, b: str) -> int`
""",
reference='''def lcs_length(a, b):
    memo = {}

    def go(i, j):
        if i == len(a) or j == len(b):
            return 0
        key = (i, j)
        if key in memo:
            return memo[key]
        if a[i] == b[j]:
            result = 1 + go(i + 1, j + 1)
        else:
            result = max(go(i + 1, j), go(i, j + 1))
        memo[key] = result
        return result

    # Fill the memo from the end so the recursion never goes deep.
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            go(i, j)
    return go(0, 0)
''',
solutions={
"table": '''def lcs_length(a, b):
    n, m = len(a), len(b)
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                dp[i][j] = dp[i - 1][j - 1] + 1
            else:
                dp[i][j] = max(dp[i - 1][j], dp[i][j - 1])
    return dp[n][m]
''',
"rolling_rows": '''def lcs_length(a, b):
    if len(b) > len(a):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        append = cur.append
        for j, other in enumerate(b):
            if ch == other:
                append(prev[j] + 1)
            else:
                left = cur[j]
                up = prev[j + 1]
                append(left if left > up else up)
        prev = cur
    return prev[-1]
''',
})

TASKS["coin_change_ways"] = dict(kind="function", entry_point="coin_change_ways",
statement="""Number of ways to make `amount` from unlimited coins of the given distinct positive denominations (order does not matter), modulo 1_000_000_007.

`coin_change_ways(coins: list[int], amount: int) -> int`
""",
reference='''def coin_change_ways(coins, amount):
    memo = {}

    def ways(i, rest):
        if rest == 0:
            return 1
        if i == len(coins) or rest < 0:
            return 0
        key = (i, rest)
        if key not in memo:
            memo[key] = (ways(i, rest - coins[i]) + ways(i + 1, rest)) % 1_000_000_007
        return memo[key]

    # Fill the memo in an order that keeps the recursion shallow.
    for r in range(amount + 1):
        for i in range(len(coins) - 1, -1, -1):
            ways(i, r)
    return ways(0, amount)
''',
solutions={
"table": '''def coin_change_ways(coins, amount):
    mod = 1_000_000_007
    n = len(coins)
    dp = [[0] * (amount + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        dp[i][0] = 1
    for i in range(1, n + 1):
        c = coins[i - 1]
        for r in range(1, amount + 1):
            dp[i][r] = dp[i - 1][r]
            if r >= c:
                dp[i][r] = (dp[i][r] + dp[i][r - c]) % mod
    return dp[n][amount]
''',
"one_row": '''def coin_change_ways(coins, amount):
    mod = 1_000_000_007
    dp = [1] + [0] * amount
    for c in coins:
        for r in range(c, amount + 1):
            dp[r] = (dp[r] + dp[r - c]) % mod
    return dp[amount]
''',
})

TASKS["matrix_multiply"] = dict(kind="function", entry_point="matrix_multiply",
statement="""Multiply two integer matrices given as lists of rows (a is n x k, b is k x m).

`matrix_multiply(a: list[list[int]], b: list[list[int]]) -> list[list[int]]`
""",
reference='''def matrix_multiply(a, b):
    n, k, m = len(a), len(b), len(b[0])
    out = [[0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            column = [b[t][j] for t in range(k)]
            total = 0
            for t in range(k):
                total += a[i][t] * column[t]
            out[i][j] = total
    return out
''',
solutions={
"transposed_map": '''from operator import mul


def matrix_multiply(a, b):
    cols = list(zip(*b))
    return [[sum(map(mul, row, col)) for col in cols] for row in a]
''',
"row_accumulate": '''def matrix_multiply(a, b):
    m = len(b[0])
    out = []
    for row in a:
        acc = [0] * m
        for x, brow in zip(row, b):
            if x:
                acc = [s + x * y for s, y in zip(acc, brow)]
        out.append(acc)
    return out
''',
})

TASKS["top_words"] = dict(kind="function", entry_point="top_words",
statement="""Return the `k` most frequent words of `text` (split on whitespace, lower-cased) as [word, count] pairs, most frequent first, ties broken alphabetically.

`top_words(text: str, k: int) -> list[list]`
""",
reference='''def top_words(text, k):
    words = [w.lower() for w in text.split()]
    unique = []
    for w in words:
        if w not in unique:
            unique.append(w)
    counted = [[w, words.count(w)] for w in unique]
    counted.sort(key=lambda p: (-p[1], p[0]))
    return counted[:k]
''',
solutions={
"dict_count": '''def top_words(text, k):
    counts = {}
    for w in text.split():
        w = w.lower()
        counts[w] = counts.get(w, 0) + 1
    return [[w, c] for w, c in sorted(counts.items(), key=lambda p: (-p[1], p[0]))[:k]]
''',
"counter_heap": '''import heapq
from collections import Counter


def top_words(text, k):
    counts = Counter(text.lower().split())
    return [[w, c] for w, c in heapq.nsmallest(k, counts.items(), key=lambda p: (-p[1], p[0]))]
''',
})

TASKS["primes_below"] = dict(kind="stdio",
statement="""Input: one integer n (0 <= n <= 10**7). Output: the number of primes p with p < n.
""",
reference='''n = int(input())
count = 0
for x in range(2, n):
    d = 2
    is_prime = True
    while d * d <= x:
        if x % d == 0:
            is_prime = False
            break
        d += 1
    if is_prime:
        count += 1
print(count)
''',
solutions={
"list_sieve": '''n = int(input())
if n < 3:
    print(0)
else:
    is_prime = [True] * n
    is_prime[0] = is_prime[1] = False
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            for j in range(i * i, n, i):
                is_prime[j] = False
    print(sum(is_prime))
''',
"bytearray_sieve": '''n = int(input())
if n < 3:
    print(0)
else:
    sieve = bytearray([1]) * n
    sieve[0] = sieve[1] = 0
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, n, i)))
    print(sum(sieve))
''',
})

TASKS["distinct_values"] = dict(kind="stdio",
statement="""Input: an integer n, then n integers (whitespace separated). Output: how many distinct values there are.
""",
reference='''import sys

data = sys.stdin.read().split()
n = int(data[0])
seen = []
for tok in data[1:n + 1]:
    x = int(tok)
    if x not in seen:
        seen.append(x)
print(len(seen))
''',
solutions={
"sort_runs": '''import sys

data = sys.stdin.read().split()
n = int(data[0])
values = sorted(int(t) for t in data[1:n + 1])
count = 0
for i, x in enumerate(values):
    if i == 0 or x != values[i - 1]:
        count += 1
print(count)
''',
"set": '''import sys

data = sys.stdin.buffer.read().split()
print(len(set(map(int, data[1:int(data[0]) + 1]))))
''',
})

TASKS["range_sums"] = dict(kind="stdio",
statement="""Input: n and q; then n integers; then q lines "l r" (1-based, inclusive). Output: for each query the sum of elements l..r, one per line.
""",
reference='''n, q = map(int, input().split())
a = list(map(int, input().split()))
for _ in range(q):
    l, r = map(int, input().split())
    total = 0
    for i in range(l - 1, r):
        total += a[i]
    print(total)
''',
solutions={
"slice_sum": '''import sys

data = sys.stdin.read().split()
n, q = int(data[0]), int(data[1])
a = list(map(int, data[2:2 + n]))
out = []
pos = 2 + n
for _ in range(q):
    l, r = int(data[pos]), int(data[pos + 1])
    pos += 2
    out.append(str(sum(a[l - 1:r])))
print("\\n".join(out))
''',
"prefix_sums": '''import sys
from itertools import accumulate

data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
prefix = [0, *accumulate(map(int, data[2:2 + n]))]
qs = list(map(int, data[2 + n:2 + n + 2 * q]))
sys.stdout.write("\\n".join(str(prefix[r] - prefix[l - 1]) for l, r in zip(qs[::2], qs[1::2])) + "\\n")
''',
})
