-- bench/http/pipeline.lua - wrk sends 16 requests in each write and waits
-- for their 16 responses before the next write (HTTP/1.1 pipelining).
-- wrk builds its request once per thread from wrk.format() when the
-- script has no request() function; handing it the batch that way keeps
-- wrk off Lua while it runs, so the client costs the same per request as
-- in the plain runs.
local depth = 16

function init(args)
   local one = wrk.format()
   local batch = string.rep(one, depth)
   wrk.format = function() return batch end
end
