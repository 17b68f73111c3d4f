#include <cstdio>
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
