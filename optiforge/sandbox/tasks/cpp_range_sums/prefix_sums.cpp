#include <cstdio>
#include <string>
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
