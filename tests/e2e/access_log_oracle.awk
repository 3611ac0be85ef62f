# tests/e2e/access_log_oracle.awk: the access-log jobs' oracle, written from
# docs/jobs.md's definition with awk regexes. Prints one key per well-formed
# line (mode=url: the target; mode=status|host|urlstatus: status, "status
# host", "status target" for lines with status >= min), and the number of
# malformed lines to the file named by `bad`.
{
  sub(/\r$/, "")
  sp = index($0, " ")
  q = index($0, "\"")
  rest = substr($0, q + 1)
  e = index(rest, "\"")
  req = substr(rest, 1, e - 1)
  after = substr(rest, e + 1)
  if (sp <= 1 || !q || !e || req !~ /^[^ ]+ +[^ ]+ +[^ ]+$/ ||
      after !~ /^ +[0-9][0-9][0-9]( |$)/) {
    malformed++
    next
  }
  split(req, part, / +/)
  match(after, /[0-9][0-9][0-9]/)
  status = substr(after, RSTART, 3)
  if (mode == "url") { print part[2]; next }
  if (status + 0 < min) next
  if (mode == "status") print status
  else if (mode == "host") print status " " substr($0, 1, sp - 1)
  else print status " " part[2]
}
END { print malformed + 0 > bad }
