/**
 * The job summaries of the webscraper workflow's Fargate steps, written from
 * the last line each command prints (`{"mcfpipe_<stage>_summary": ...}`),
 * read back from CloudWatch Logs in one call. Values come from task logs:
 * they are escaped for Markdown and HTML, and none of them is printed to the
 * step's log, where the runner would read workflow commands.
 */

/** Python shared by the summaries: escaping, and the last summary line of each log stream. */
const PRELUDE = `import json, os, subprocess, urllib.parse

def cell(value):
    text = str(value).replace("\\n", " ")
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;"), ("\`", "&#96;")):
        text = text.replace(a, b)
    return text

def summaries(key):
    """The streams of LOG_STREAMS and the last {key: ...} line of each, read in one call for all."""
    streams = [s for s in os.environ["LOG_STREAMS"].splitlines() if s.strip()]
    found = subprocess.run(
        ["aws", "logs", "filter-log-events", "--log-group-name", os.environ["LOG_GROUP"],
         "--log-stream-names", *streams, "--filter-pattern", '"' + key + '"', "--output", "json"],
        capture_output=True, text=True)
    if found.returncode != 0:
        return streams, {}, "log not readable: " + (found.stderr.strip().splitlines() or ["?"])[-1]
    by_stream = {}
    for event in json.loads(found.stdout or "{}").get("events", []):
        try:
            by_stream[event["logStreamName"]] = json.loads(event["message"])[key]
        except (ValueError, KeyError, TypeError):
            continue
    return streams, by_stream, "no summary line: the task stopped before the end of its run"

def write(lines):
    with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
        out.write("\\n".join(lines) + "\\n")
`;

/** One table row per shard: `mcfpipe scrape`'s counters, status and failed searches. */
export const SCRAPE_SUMMARY = `python3 - <<'PY'
${PRELUDE}
COLUMNS = ["pages", "listed", "new", "updated", "unchanged", "stored", "failed", "quarantined"]

rows = ["| shard | status | " + " | ".join(COLUMNS) + " | pending | failed searches | minutes |",
        "| --- | --- | " + " | ".join("---:" for _ in COLUMNS) + " | ---: | --- | ---: |"]
totals = dict.fromkeys(COLUMNS, 0)
streams, found, problem = summaries("mcfpipe_scrape_summary")
for index, stream in enumerate(streams):
    summary = found.get(stream)
    if not summary:
        rows.append(f"| {index} | {cell(problem)} |" + " |" * (len(COLUMNS) + 3))
        continue
    counters = summary.get("counters", {})
    for c in COLUMNS:
        totals[c] += int(counters.get(c, 0) or 0)
    status = summary.get("status", "?") + (f" ({summary['reason']})" if summary.get("reason") else "")
    failed = ", ".join(f"{s.get('term')}: {s.get('error')}" for s in summary.get("searches", {}).get("failed", []))
    rows.append("| " + " | ".join([str(index), cell(status), *(cell(counters.get(c, 0)) for c in COLUMNS),
                                     cell(summary.get("pending", 0)), cell(failed or "none"),
                                     cell(round(float(summary.get("durationS", 0)) / 60, 1))]) + " |")
rows.append("| all | | " + " | ".join(str(totals[c]) for c in COLUMNS) + " | | | |")
write([f"## Scrape: {len(streams)} shard(s)", "", *rows])
PY
`;

/** One row per user: jobs, how many were (re)scored and why, by outcome. */
export const SCORE_SUMMARY = `python3 - <<'PY'
${PRELUDE}
streams, found, problem = summaries("mcfpipe_score_summary")
summary = next((found[s] for s in reversed(streams) if s in found), None)
lines = ["## Scoring", ""]
if not summary:
    lines.append(cell(problem))
else:
    reason = f" ({summary['reason']})" if summary.get("reason") else ""
    lines += [f"{cell(summary.get('status', '?'))}{cell(reason)} in {cell(round(float(summary.get('durationS', 0)) / 60, 1))} min", "",
              "| user | jobs | (re)scored | scored | filtered | insufficient data | reposts linked | not stored yet | mode |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for u in summary.get("users", []):
        by = u.get("byStatus", {})
        lines.append("| " + " | ".join(cell(v) for v in [
            u.get("userId", "?"), u.get("jobs", 0), int(u.get("scored", 0) or 0) + int(u.get("duplicates", 0) or 0),
            by.get("scored", 0), by.get("filtered", 0), by.get("insufficient_data", 0),
            u.get("duplicates", 0), u.get("missing", 0), f"{u.get('mode', '?')}: {u.get('why', '')}"]) + " |")
write(lines)
PY
`;

/**
 * The report's totals and a link to its page in the S3 console (the bucket is private: a
 * person opens it signed in), from REPORT_LOCATION (s3://bucket/prefix) even when the task
 * printed no summary line.
 */
export const REPORT_SUMMARY = `python3 - <<'PY'
${PRELUDE}
region = os.environ["AWS_REGION"]
bucket, _, prefix = os.environ["REPORT_LOCATION"].removeprefix("s3://").partition("/")

def console(name):
    key = urllib.parse.quote(f"{prefix.rstrip('/')}/{name}", safe="")
    return f"https://{region}.console.aws.amazon.com/s3/object/{bucket}?region={region}&prefix={key}"

streams, found, problem = summaries("mcfpipe_report_summary")
summary = next((found[s] for s in reversed(streams) if s in found), None)
lines = ["## Report", "",
         f"[report.html]({console('report.html')}) (open in the S3 console), "
         f"[analytics.sqlite]({console('analytics.sqlite')}): \`{cell(os.environ['REPORT_LOCATION'])}\`", ""]
if not summary:
    lines.append(cell(problem))
else:
    totals = summary.get("totals", {})
    lines += ["| user | data as of | jobs found | in the CRM | applied | answers |",
              "| --- | --- | ---: | ---: | ---: | ---: |",
              "| " + " | ".join(cell(v) for v in [summary.get("user") or "", summary.get("dataAsOf") or "no data",
                                                  totals.get("jobs", 0), totals.get("inCrm", 0),
                                                  totals.get("applied", 0), totals.get("responded", 0)]) + " |"]
    export = summary.get("export")
    if export:
        lines += ["", f"Export: {cell(export.get('mode', '?'))} ({cell(export.get('reason', ''))})."]
    empty = summary.get("charts", {}).get("empty", [])
    if empty:
        lines += ["", "| empty chart | why |", "| --- | --- |",
                  *(f"| {cell(c.get('id', '?'))} | {cell(c.get('why', ''))} |" for c in empty)]
write(lines)
PY
`;
