#include <cstdio>
#include <unordered_set>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    std::unordered_set<long long> s;
    s.reserve(n * 2);
    for (int i = 0; i < n; ++i) { long long x; scanf("%lld", &x); s.insert(x); }
    printf("%zu\n", s.size());
}
