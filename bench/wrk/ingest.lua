-- Ingest load for wrk, for the baseline and the real service alike.
-- Arguments after "--": run prefix, items per request, company code, environment, API key.
-- Each body gets new entityIds from a counter, so no entityId repeats within a run, and the prefix keeps runs apart.
-- wrk gives each thread its own Lua state; the benchmark runs one thread, so the counter is unique.

local prefix = "bench"
local items_per_request = 1
local counter = 0
local company = "bench"
local environment = "prod"

-- The same item as TenantClient.BuildBody writes: 8 mandatory fields and one attribute, about 310 bytes.
local item_format = '{"platform":"AWS Connect","companyCode":"%s","environment":"%s","ownerId":"USParts",'
  .. '"entityId":"%s","fromAddress":"customer@example.com","toAddress":"parts@example.com",'
  .. '"subject":"Replacement part for %s","attributes":[{"key":"CustomerId","value":"%s"}]}'

function init(args)
  prefix = args[1] or prefix
  items_per_request = tonumber(args[2] or "1")
  company = args[3] or company
  environment = args[4] or environment
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-sc-platform-code"] = "AWS Connect"
  wrk.headers["X-sc-company-code"] = company
  wrk.headers["X-sc-company-environment"] = environment
  wrk.headers["X-sc-secrets-region"] = "us-east-1"
  wrk.headers["X-sc-company-api-key"] = args[5] or "none"
end

function request()
  local items = {}
  for i = 1, items_per_request do
    counter = counter + 1
    local entity_id = prefix .. "-" .. counter
    items[i] = string.format(item_format, company, environment, entity_id, entity_id, entity_id)
  end
  return wrk.format(nil, nil, nil, "[" .. table.concat(items, ",") .. "]")
end

-- One machine-readable line that RoutedEmail.Bench parses; latencies are in microseconds.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "wrk-result requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d "
      .. "p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write,
    errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
