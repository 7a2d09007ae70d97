-- Word frequencies, written the same way as wordfreq.kl: 1,000,000
-- pseudo-random words of 1 to 6 letters from the Park-Miller LCG (every
-- product stays below 2^47, so doubles compute it exactly), counted in a
-- table, then the five most frequent picked with plain loops.
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

-- Whether (count c, word w) ranks before (c2, w2): higher count first, then
-- the alphabetically smaller word (LuaJIT compares strings byte by byte).
local function better(c, w, c2, w2)
    return c > c2 or (c == c2 and w < w2)
end

-- Top five by insertion into a sorted array; -1 is below every real count.
local top_words = { "", "", "", "", "" }
local top_counts = { -1, -1, -1, -1, -1 }
for word, c in pairs(counts) do
    if better(c, word, top_counts[5], top_words[5]) then
        local k = 5
        while k > 1 and better(c, word, top_counts[k - 1], top_words[k - 1]) do
            top_counts[k] = top_counts[k - 1]
            top_words[k] = top_words[k - 1]
            k = k - 1
        end
        top_counts[k] = c
        top_words[k] = word
    end
end

print(string.format("distinct words: %d", distinct))
for k = 1, 5 do
    print(string.format("%s %d", top_words[k], top_counts[k]))
end
