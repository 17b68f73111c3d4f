#include <iostream>
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
