-- The generator pipeline of generators.kl with coroutines (coroutine.wrap).
local function count(n)
  return coroutine.wrap(function()
    local i = 0
    while i < n do
      coroutine.yield(i)
      i = i + 1
    end
  end)
end

local function multiples(src, k)
  return coroutine.wrap(function()
    for x in src do
      if x % k == 0 then coroutine.yield(x) end
    end
  end)
end

local function squares(src)
  return coroutine.wrap(function()
    for x in src do coroutine.yield(x * x) end
  end)
end

local total, n = 0, 0
for s in squares(multiples(count(10000000), 3)) do
  total = (total + s) % 1000000007
  n = n + 1
end
print(string.format("%d values, sum %d", n, total))
