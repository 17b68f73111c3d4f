#include <iostream>
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
