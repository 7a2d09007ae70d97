-- Higher-order array operations, written the same way as closures.kl: map,
-- filter and fold (small Lua functions, since Lua has no built-in ones) with
-- small closures over arrays of 1,000,000 integers, then table.sort with a
-- comparison closure. The elements are distinct, so the sort order is total
-- and table.sort's lack of stability cannot change the result.
local n = 1000000
local rounds = 25
local sorts = 2

local function map(t, f)
    local r = {}
    for i = 1, #t do r[i] = f(t[i]) end
    return r
end

local function filter(t, p)
    local r = {}
    local m = 0
    for i = 1, #t do
        local x = t[i]
        if p(x) then
            m = m + 1
            r[m] = x
        end
    end
    return r
end

local function fold(t, init, f)
    local acc = init
    for i = 1, #t do acc = f(acc, t[i]) end
    return acc
end

local xs = {}
local seed = 42
for i = 1, n do
    seed = seed * 48271 % 2147483647
    xs[i] = seed
end

local total = 0
local kept = 0
for r = 0, rounds - 1 do
    local ys = map(xs, function(x) return x % 1000 + r end)
    local odd = filter(ys, function(y) return y % 2 == 1 end)
    total = (total + fold(odd, 0, function(acc, y) return acc + y end)) % 1000000007
    local limit = (r + 1) * 50000000
    kept = kept + #filter(xs, function(x) return x < limit end)
end
print(string.format("map/filter/fold: %d %d", total, kept))

local checks = 0
for s = 0, sorts - 1 do
    local ys = {}
    for i = 1, n do ys[i] = xs[i] end
    local k = 1000 + s
    table.sort(ys, function(a, b) return a % k < b % k or (a % k == b % k and a < b) end)
    checks = (checks + fold(ys, 0, function(acc, y) return (acc * 31 + y) % 1000000007 end)) % 1000000007
end
print(string.format("sort_by: %d", checks))
