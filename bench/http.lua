-- http.lua -- wrk script for bench/http.sh: each wrk thread logs in once before it starts (curl, so that no
-- login is timed), then sends PATH with the session cookie; with PAUSE (milliseconds) each connection waits
-- that long after an answer before its next request, for a paced load below saturation (the wait is not
-- counted in the latency).  Prints one parsable line at the end.
--   wrk -s bench/http.lua ... URL -- PATH USER PASSWORD [PAUSE]
local path, cookie, pause

function init(args)
	path = args[1]
	pause = tonumber(args[4] or "0")
	local cmd = string.format("curl -s -i -H 'Content-Type: application/json' " ..
		"-d '{\"user\": \"%s\", \"password\": \"%s\"}' http://%s:%s/api/login", args[2], args[3], wrk.host,
		wrk.port)
	local p = io.popen(cmd)
	local out = p:read("*a")
	p:close()
	cookie = out:match("[Ss]et%-[Cc]ookie: (cb_session=[^;\r\n]+)")
	if not cookie then
		io.stderr:write("http.lua: login failed\n")
		os.exit(1)
	end
end

function delay()
	return pause
end

function request()
	return wrk.format("GET", path, {["Cookie"] = cookie})
end

function done(summary, latency, requests)
	local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
		summary.errors.timeout
	io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n", summary.requests,
		summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		errors))
end
