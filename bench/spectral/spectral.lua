-- Spectral norm of A(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1) (the Benchmarks
-- Game program), written the same way as spectral.kl. Indices are 0-based in
-- the formula; (i+j)(i+j+1) is even, so the division by 2 is exact.
local function a(i, j)
    local ij = i + j
    return 1.0 / (ij * (ij + 1) / 2 + i + 1)
end

-- out = A * v
local function mul_av(v, out, n)
    for i = 0, n - 1 do
        local sum = 0.0
        for j = 0, n - 1 do
            sum = sum + a(i, j) * v[j + 1]
        end
        out[i + 1] = sum
    end
end

-- out = A^T * v
local function mul_atv(v, out, n)
    for i = 0, n - 1 do
        local sum = 0.0
        for j = 0, n - 1 do
            sum = sum + a(j, i) * v[j + 1]
        end
        out[i + 1] = sum
    end
end

local function mul_atav(v, out, tmp, n)
    mul_av(v, tmp, n)
    mul_atv(tmp, out, n)
end

local n = 1000
local u, v, tmp = {}, {}, {}
for i = 1, n do u[i] = 1.0; v[i] = 0.0; tmp[i] = 0.0 end
for _ = 1, 10 do
    mul_atav(u, v, tmp, n)
    mul_atav(v, u, tmp, n)
end
local vbv, vv = 0.0, 0.0
for i = 1, n do
    vbv = vbv + u[i] * v[i]
    vv = vv + v[i] * v[i]
end
print(string.format("%.9f", math.sqrt(vbv / vv)))
