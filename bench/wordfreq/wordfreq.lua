-- Word frequencies, written the same way as wordfreq.kl: 1,000,000
-- pseudo-random words of 1 to 6 letters from the Park-Miller LCG (every
-- product stays below 2^47, so doubles compute it exactly), counted in a
-- table, then the distinct words sorted by falling count with a comparison
-- closure and the first five printed.
local letters = { "e", "e", "e", "e", "e", "t", "t", "a", "a", "o", "i", "n", "s", "h", "r", "d" }
local nwords = 1000000

local counts = {}
local distinct = 0
local seed = 42
for _ = 1, nwords do
    seed = seed * 48271 % 2147483647
    local length = seed % 6 + 1
    local word = ""
    for _ = 1, length do
        seed = seed * 48271 % 2147483647
        word = word .. letters[seed % 16 + 1]
    end
    local c = counts[word]
    if c == nil then
        distinct = distinct + 1
        counts[word] = 1
    else
        counts[word] = c + 1
    end
end

-- The distinct words, most frequent first and alphabetically among equal
-- counts (LuaJIT compares strings byte by byte): table.sort with a closure
-- that looks the counts up in the table. Words are unique, so the order is
-- total and table.sort's lack of stability does not matter.
local words = {}
for word in pairs(counts) do words[#words + 1] = word end
table.sort(words, function(a, b)
    local ca = counts[a]
    local cb = counts[b]
    return ca > cb or (ca == cb and a < b)
end)

print(string.format("distinct words: %d", distinct))
for k = 1, 5 do
    print(string.format("%s %d", words[k], counts[words[k]]))
end
