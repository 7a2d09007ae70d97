/* Sieve of Eratosthenes: counts the primes below 20,000,000, written the same
   way as sieve.kl, with one bool per number. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const long long n = 20000000;
    bool *is_prime = malloc(n * sizeof *is_prime);
    if (!is_prime) { fputs("out of memory\n", stderr); return 1; }
    for (long long k = 0; k < n; k++) is_prime[k] = true;
    is_prime[0] = false;
    is_prime[1] = false;
    for (long long i = 2; i * i < n; i++) {
        if (is_prime[i]) {
            for (long long j = i * i; j < n; j += i) is_prime[j] = false;
        }
    }
    long long count = 0;
    for (long long k = 0; k < n; k++) {
        if (is_prime[k]) count += 1;
    }
    printf("%lld\n", count);
    free(is_prime);
    return 0;
}
