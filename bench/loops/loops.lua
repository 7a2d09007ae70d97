-- All values stay below 2^53 and non-negative where % is applied, so double
-- arithmetic (Lua 5.1 / LuaJIT) gives exactly the same results as int64.
local n = 50000000
local acc = 0
local total = 0
local h = 0.0
for i = 0, n - 1 do
    acc = (acc * 31 + i) % 1000003
    if acc % 2 == 0 then
        total = total + acc % 1000
    else
        total = total - acc % 100
    end
    h = h + 1.0 / (i + 1)
end
print(string.format("checksum: %d", acc))
print(string.format("total: %d", total))
print(string.format("harmonic_e9: %d", math.floor(h * 1000000000.0)))
