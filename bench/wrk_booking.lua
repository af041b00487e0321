-- The booking surge for wrk (Debian's package), a native load generator that
-- leaves the cores to the servers. Used by bench/run:
--
--   wrk -t2 -c16 -d10s -s bench/wrk_booking.lua http://127.0.0.1:8301 -- product DATA SKIP 2
--   wrk -t2 -c16 -d10s -s bench/wrk_booking.lua http://127.0.0.1:8302 -- ceiling DATA SKIP 2
--
-- Each booking takes a woman of its own from DATA/<kind>_participants.csv (id,
-- token), past the first SKIP rows that earlier scenarios used; each of the 2
-- (the last argument: as many as -t) wrk threads takes every second row, so that
-- no two threads book the same woman. A slot is
-- picked from the manifest's slots for that kind. 201 and 409 (slot full) are
-- right answers; anything else is counted as an error in the summary.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

local function read_rows(path, skip)
  local rows = {}
  local n = 0
  for line in io.lines(path) do
    n = n + 1
    if n > skip then
      local id, token = line:match("^([^,]+),([^,\r]+)")
      table.insert(rows, { id = id, token = token })
    end
  end
  return rows
end

local function read_slots(path, kind)
  local text = io.open(path):read("*a")
  local list = text:match('"' .. kind .. '_slots"%s*:%s*%[([^%]]*)%]')
  local slots = {}
  for slot in list:gmatch("%d+") do
    table.insert(slots, slot)
  end
  return slots
end

function init(args)
  kind = args[1] or "product"
  local data = args[2] or "var/bench"
  local skip = tonumber(args[3] or "0")
  rows = read_rows(data .. "/" .. kind .. "_participants.csv", skip)
  if #rows == 0 then
    -- Every woman has booked already (a small data set): her second try is a
    -- 409, still a right answer.
    rows = read_rows(data .. "/" .. kind .. "_participants.csv", 0)
  end
  slots = read_slots(data .. "/manifest.json", kind)
  -- The thread count again (wrk does not tell a thread how many there are).
  step = tonumber(args[4] or "2")
  next_row = index or 1
  unexpected = 0
  codes = {}
  math.randomseed(next_row)
end

function request()
  local row = rows[((next_row - 1) % #rows) + 1]
  next_row = next_row + step
  local slot = slots[math.random(#slots)]
  if kind == "ceiling" then
    return wrk.format("POST", "/book/", { ["Content-Type"] = "application/json" },
      '{"slot": ' .. slot .. ', "participant": ' .. row.id .. "}")
  end
  return wrk.format("POST", "/api/v1/appointments/", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. row.token,
  }, '{"slot": ' .. slot .. "}")
end

function response(status, headers, body)
  if status ~= 201 and status ~= 409 then
    unexpected = unexpected + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

local function unexpected_codes()
  -- Each thread counts in its own Lua state; the main one reads them here.
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("codes") or {}) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.1f, "p99_ms": %.1f, "non_2xx_3xx": %d, "socket_errors": %d, "unexpected": %s}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    unexpected_codes()))
end
