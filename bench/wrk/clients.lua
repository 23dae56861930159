-- Each request from a different client address (RFC 2544 benchmarking range 198.18.0.0/15),
-- sent as X-Forwarded-For through a trusted loopback hop, with a real browser's headers: the
-- gateway's per-client state sees a realistic spread of keys, as behind a load balancer.
-- BOTGATE_BENCH_METHOD=POST sends a JSON login with a random username instead of a GET, as
-- the site's mobile app does (an app is not held to the browser's page-visit evidence, so the
-- request goes the whole way to the upstream and its outcome is learnt).
-- BOTGATE_BENCH_PAUSE_MS=N makes each connection wait between an answer and its next request, N ms
-- on average: a moderate rate (about connections × 1000 / N a second) whose latencies wrk
-- measures. The pauses are drawn from an exponential distribution, so the connections' requests
-- arrive independently, as many users' do (a Poisson stream); a fixed pause would keep them in
-- step and send them in bursts of one per connection, whose queueing is the burst's, not the
-- gateway's.
local method = os.getenv("BOTGATE_BENCH_METHOD") or "GET"
local pause = tonumber(os.getenv("BOTGATE_BENCH_PAUSE_MS") or "0")
local counter = 0

if pause > 0 then
  math.randomseed(os.time())
  delay = function()
    return math.floor(-pause * math.log(1 - math.random()) + 0.5)
  end
end

wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
wrk.headers["Accept"] = "application/json, text/plain, */*"
wrk.headers["Accept-Language"] = "en-GB,en;q=0.9"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
wrk.headers["sec-ch-ua"] = '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'
wrk.headers["sec-ch-ua-mobile"] = "?0"
wrk.headers["sec-ch-ua-platform"] = '"Linux"'
wrk.headers["Sec-Fetch-Site"] = "same-origin"
wrk.headers["Sec-Fetch-Mode"] = "cors"
wrk.headers["Sec-Fetch-Dest"] = "empty"

request = function()
  counter = counter + 1
  local n = (counter * 2654435761) % 131072
  wrk.headers["X-Forwarded-For"] = string.format("198.%d.%d.%d", 18 + (n % 2), math.floor(n / 512) % 256, (n % 254) + 1)
  if method == "POST" then
    wrk.headers["User-Agent"] = "Marketplace/4.2.1 (iPhone; iOS 17.5; Scale/3.00)"
    wrk.headers["Content-Type"] = "application/json"
    return wrk.format("POST", nil, nil, string.format('{"username":"user%d@example.com","password":"not-the-password"}', counter))
  end
  return wrk.format("GET")
end
