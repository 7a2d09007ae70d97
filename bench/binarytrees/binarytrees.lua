-- Binary trees (the Benchmarks Game program), max depth 18, written the same
-- way as binarytrees.kl. A node is a table { left, right }; an empty child is
-- nil, so a tree of depth 0 is a node with two nil children.
local function make(depth)
    if depth == 0 then
        return { nil, nil }
    end
    return { make(depth - 1), make(depth - 1) }
end

-- The number of nodes in the tree.
local function check(t)
    if t == nil then return 0 end
    return 1 + check(t[1]) + check(t[2])
end

local min_depth = 4
local max_depth = 18
local stretch_depth = max_depth + 1

local stretch = check(make(stretch_depth))
print(string.format("stretch tree of depth %d\t check: %d", stretch_depth, stretch))

local long_lived = make(max_depth)

local depth = min_depth
while depth <= max_depth do
    local iterations = 2 ^ (max_depth - depth + min_depth)
    local total = 0
    for _ = 1, iterations do
        total = total + check(make(depth))
    end
    print(string.format("%d\t trees of depth %d\t check: %d", iterations, depth, total))
    depth = depth + 2
end

print(string.format("long lived tree of depth %d\t check: %d", max_depth, check(long_lived)))
