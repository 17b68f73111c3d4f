"""Sources of the shipped C++ tasks: statement, slow reference and faster solutions (see gen.py)."""
TASKS = {}
TASKS["cpp_range_sums"] = dict(
statement="""Input: n and q; then n integers (|a_i| <= 10^9); then q lines "l r" (1-based, inclusive). Output: for each query the sum of a_l..a_r, one per line.
""",
reference=r'''#include <cstdio>
#include <vector>
int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    std::vector<long long> a(n);
    for (auto& x : a) scanf("%lld", &x);
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        long long s = 0;
        for (int i = l - 1; i < r; ++i) s += a[i];
        printf("%lld\n", s);
    }
}
''',
solutions={"prefix_sums": r'''#include <cstdio>
#include <vector>
int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    std::vector<long long> p(n + 1, 0);
    for (int i = 1; i <= n; ++i) { long long x; scanf("%lld", &x); p[i] = p[i - 1] + x; }
    std::string out;
    char buf[32];
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        int len = snprintf(buf, sizeof buf, "%lld\n", p[r] - p[l - 1]);
        out.append(buf, len);
    }
    fwrite(out.data(), 1, out.size(), stdout);
}
'''.replace("#include <vector>", "#include <string>\n#include <vector>")})

TASKS["cpp_count_primes"] = dict(
statement="""Input: one integer n (0 <= n <= 10^8). Output: the number of primes p < n.
""",
reference=r'''#include <iostream>
int main() {
    long long n;
    std::cin >> n;
    long long count = 0;
    for (long long x = 2; x < n; ++x) {
        bool prime = true;
        for (long long d = 2; d * d <= x; ++d)
            if (x % d == 0) { prime = false; break; }
        if (prime) ++count;
    }
    std::cout << count << "\n";
}
''',
solutions={
"bool_sieve": r'''#include <iostream>
#include <vector>
int main() {
    long long n;
    std::cin >> n;
    if (n < 3) { std::cout << 0 << "\n"; return 0; }
    std::vector<bool> composite(n, false);
    long long count = 0;
    for (long long i = 2; i < n; ++i) {
        if (composite[i]) continue;
        ++count;
        for (long long j = i * i; j < n; j += i) composite[j] = true;
    }
    std::cout << count << "\n";
}
''',
"odd_sieve": r'''#include <iostream>
#include <vector>
int main() {
    long long n;
    std::cin >> n;
    if (n < 3) { std::cout << 0 << "\n"; return 0; }
    // index k stands for the odd number 2k+1
    long long half = n / 2;
    std::vector<char> composite(half, 0);
    long long count = 1;  // the prime 2
    for (long long k = 1; k < half; ++k) {
        if (composite[k]) continue;
        long long p = 2 * k + 1;
        if (p >= n) break;
        ++count;
        for (long long j = (p * p) / 2; j < half; j += p) composite[j] = 1;
    }
    std::cout << count << "\n";
}
''',
})

TASKS["cpp_inversions"] = dict(
statement="""Input: n, then n integers. Output: the number of pairs i < j with a_i > a_j.
""",
reference=r'''#include <cstdio>
#include <vector>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n);
    for (auto& x : a) scanf("%lld", &x);
    long long inv = 0;
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j)
            if (a[i] > a[j]) ++inv;
    printf("%lld\n", inv);
}
''',
solutions={"merge_sort": r'''#include <cstdio>
#include <vector>
static long long sort_count(std::vector<long long>& a, std::vector<long long>& tmp, int lo, int hi) {
    if (hi - lo <= 1) return 0;
    int mid = (lo + hi) / 2;
    long long inv = sort_count(a, tmp, lo, mid) + sort_count(a, tmp, mid, hi);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (a[i] <= a[j]) tmp[k++] = a[i++];
        else { inv += mid - i; tmp[k++] = a[j++]; }
    }
    while (i < mid) tmp[k++] = a[i++];
    while (j < hi) tmp[k++] = a[j++];
    for (int t = lo; t < hi; ++t) a[t] = tmp[t];
    return inv;
}
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n), tmp(n);
    for (auto& x : a) scanf("%lld", &x);
    printf("%lld\n", sort_count(a, tmp, 0, n));
}
'''})

TASKS["cpp_lis"] = dict(
statement="""Input: n, then n integers. Output: the length of the longest strictly increasing subsequence.
""",
reference=r'''#include <cstdio>
#include <vector>
#include <algorithm>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n);
    for (auto& x : a) scanf("%lld", &x);
    std::vector<int> best(n, 1);
    int answer = 0;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < i; ++j)
            if (a[j] < a[i]) best[i] = std::max(best[i], best[j] + 1);
        answer = std::max(answer, best[i]);
    }
    printf("%d\n", answer);
}
''',
solutions={"patience": r'''#include <cstdio>
#include <vector>
#include <algorithm>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> tails;
    for (int i = 0; i < n; ++i) {
        long long x;
        scanf("%lld", &x);
        auto it = std::lower_bound(tails.begin(), tails.end(), x);
        if (it == tails.end()) tails.push_back(x); else *it = x;
    }
    printf("%d\n", (int)tails.size());
}
'''})

TASKS["cpp_distinct"] = dict(
statement="""Input: n, then n integers. Output: how many distinct values there are.
""",
reference=r'''#include <cstdio>
#include <vector>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> seen;
    for (int i = 0; i < n; ++i) {
        long long x;
        scanf("%lld", &x);
        bool found = false;
        for (long long y : seen) if (y == x) { found = true; break; }
        if (!found) seen.push_back(x);
    }
    printf("%zu\n", seen.size());
}
''',
solutions={
"sort_unique": r'''#include <cstdio>
#include <vector>
#include <algorithm>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n);
    for (auto& x : a) scanf("%lld", &x);
    std::sort(a.begin(), a.end());
    printf("%zu\n", (size_t)(std::unique(a.begin(), a.end()) - a.begin()));
}
''',
"hash_set": r'''#include <cstdio>
#include <unordered_set>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::unordered_set<long long> s;
    s.reserve(n * 2);
    for (int i = 0; i < n; ++i) { long long x; scanf("%lld", &x); s.insert(x); }
    printf("%zu\n", s.size());
}
''',
})
