#include <cstdio>
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
