#include <stdio.h>

int main(void) {
    long long n = 50000000;
    long long acc = 0;
    long long total = 0;
    double h = 0.0;
    for (long long i = 0; i < n; i++) {
        acc = (acc * 31 + i) % 1000003;
        if (acc % 2 == 0) {
            total += acc % 1000;
        } else {
            total -= acc % 100;
        }
        h += 1.0 / (double)(i + 1);
    }
    printf("checksum: %lld\n", acc);
    printf("total: %lld\n", total);
    printf("harmonic_e9: %lld\n", (long long)(h * 1000000000.0));
    return 0;
}
