-- Sieve of Eratosthenes: counts the primes below 20,000,000, written the same
-- way as sieve.kl, in a table of 20 million booleans (0-based: index k is the
-- number k).
local n = 20000000
local is_prime = {}
for k = 0, n - 1 do is_prime[k] = true end
is_prime[0] = false
is_prime[1] = false
local i = 2
while i * i < n do
    if is_prime[i] then
        local j = i * i
        while j < n do
            is_prime[j] = false
            j = j + i
        end
    end
    i = i + 1
end
local count = 0
for k = 0, n - 1 do
    if is_prime[k] then count = count + 1 end
end
print(count)
