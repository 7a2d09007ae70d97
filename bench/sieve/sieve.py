# Sieve of Eratosthenes: counts the primes below 20,000,000, written the same
# way as sieve.kl, in a list of 20 million bools (plain loops, no slice
# assignment, so that it measures the same work as the other versions).
n = 20000000
is_prime = [True] * n
is_prime[0] = False
is_prime[1] = False
i = 2
while i * i < n:
    if is_prime[i]:
        j = i * i
        while j < n:
            is_prime[j] = False
            j += i
    i += 1
count = 0
for k in range(n):
    if is_prime[k]:
        count += 1
print(count)
