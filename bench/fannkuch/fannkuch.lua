-- Fannkuch-redux (the Benchmarks Game program), n = 10, written the same way
-- as fannkuch.kl. The arrays are 0-based (Lua tables accept index 0).
local function fannkuch(n)
    local perm1, perm, count = {}, {}, {}
    for i = 0, n - 1 do perm1[i] = i; perm[i] = 0; count[i] = 0 end
    local max_flips, checksum, perm_count = 0, 0, 0
    local r = n
    local done = false
    while not done do
        while r ~= 1 do
            count[r - 1] = r
            r = r - 1
        end

        -- Count the flips of this permutation.
        for i = 0, n - 1 do perm[i] = perm1[i] end
        local flips = 0
        local k = perm[0]
        while k ~= 0 do
            local lo, hi = 0, k
            while lo < hi do
                local t = perm[lo]
                perm[lo] = perm[hi]
                perm[hi] = t
                lo = lo + 1
                hi = hi - 1
            end
            flips = flips + 1
            k = perm[0]
        end
        if flips > max_flips then max_flips = flips end
        if perm_count % 2 == 0 then
            checksum = checksum + flips
        else
            checksum = checksum - flips
        end

        -- Next permutation: rotate the first r + 1 elements left by one, as
        -- often as count says.
        while true do
            if r == n then
                done = true
                break
            end
            local perm0 = perm1[0]
            for i = 0, r - 1 do perm1[i] = perm1[i + 1] end
            perm1[r] = perm0
            count[r] = count[r] - 1
            if count[r] > 0 then break end
            r = r + 1
        end
        perm_count = perm_count + 1
    end
    return checksum, max_flips
end

local n = 10
local checksum, max_flips = fannkuch(n)
print(checksum)
print(string.format("Pfannkuchen(%d) = %d", n, max_flips))
