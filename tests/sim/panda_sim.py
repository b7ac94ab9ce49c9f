#!/usr/bin/env python3
"""panda_sim.py - a PanDA server simulator for testing hpo-tools' Grid mode.

Python 3 standard library only.  Listens on 127.0.0.1 (and on the other
loopback addresses of --listen, each a cache host of its own) only: HTTPS with X.509
client certificates (RFC 3820 proxies allowed), optionally a second HTTPS port
for bearer tokens, and a plain-HTTP control port for the tests.

What it enforces, and where each fact was checked (public sources, read for
facts only; PanDAWMS/panda-server and PanDAWMS/panda-client, HSF/iDDS):

* TLS (templates/panda_server-httpd.conf.rpmnew.template): Apache mod_ssl
  verifies a presented client certificate against the CA directory, so an
  expired or untrusted one fails the handshake.  Apache uses
  "SSLVerifyClient optional": a request without a certificate completes the
  handshake and reaches the application, whose request_validation answers
  {"success": false, "message": "SSL secure connection is required"} on a
  secure endpoint (Protocol.isSecure: no SSL_CLIENT_S_DN).  So does this
  simulator (--verify-client optional, the default; "required" fails the
  handshake instead, as the real server never does).  A bearer token is
  looked at only when the server takes tokens (srvcore/panda_request.py:
  PandaRequest, token_authType): without --tokens an Authorization header
  is ignored and the request is anonymous.  The token port is the main
  port's twin.
* Routing (pandaserver/server/panda.py): /api/v1/<module>/<method> and the
  legacy /server/panda/<method>; a method that is not served gives HTTP 403,
  text "ERROR : method X is forbidden"; invalid JSON gives HTTP 500
  "ERROR : received invalid JSON : ..."; a failed token gives 403
  "ERROR : Token authentication failed. ...".  Parameters: JSON body when
  Content-Type is application/json on POST/PUT (gzip if Content-Encoding says
  so), else the query (GET) or the form (POST, urlencoded or multipart).  The
  answer is JSON when Content-Type or Accept is application/json, otherwise
  the Python str() of the answer; its Content-Type is text/plain; datetimes
  are {"__datetime__": ISO}.
* Request checks (pandaserver/api/v1/common.py, request_validation), in this
  order, each answered with HTTP 200 {"success": false, "message": ...}:
  secure endpoints need a client DN without "/CN=limited proxy"
  ("SSL secure connection is required"; an RFC 3820 limited proxy, policy
  1.3.6.1.4.1.3536.1.1.1.9, is treated the same); the
  production role for pause and resume ("production or pilot role required";
  has_production_role: a DN of --production-dn); HTTP method
  ("expecting POST, received GET"); argument binding ("Argument error: missing
  a required argument: 'task_id'"); types (GET values are cast, JSON values
  are not); task ownership for kill/finish/retry ("not the task owner or no
  production role", data null, also for a task that does not exist).
* Endpoints and answers: pandaserver/api/v1/task_api.py, job_api.py,
  system_api.py, file_server_api.py; codes and messages of submit, kill,
  finish and retry from pandaserver/taskbuffer/db_proxy_mods/
  task_event_module.py (insertTaskParamsPanda, sendCommandTaskPanda,
  getJediTaskDetails); sandbox look-up (checkSandboxFile) from
  misc_standalone_module.py; the user name from srvcore/CoreUtils.py
  (clean_user_id, own simplified version here).
* relay_idds_command (pandaserver/userinterface/UserIF.py; HSF/iDDS
  client/lib/idds/client/hpoclient.py and main/lib/idds/rest/v1/
  hyperparameteropt.py): answer is the JSON text [true, result] or
  [false, message]; get_hyperparameters(workload_id, request_id, id, status,
  limit) gives [{"id": "<n>", "parameters": {...}, "loss": x|null}].
* What the client sends (pandaclient/Client.py): JSON POST bodies, GET query,
  multipart field "file" for uploads, validate_cache_file with file_size and
  the gzip trailer's CRC32 as checksum; the HPO task parameters as
  pandaclient/PhpoScript.py builds them.
* HPO checkpoints (api/v1/file_server_api.py): upload_hpo_checkpoint stores
  the multipart file named TASK_SUB as hpo_cp_TASK_SUB in the cache
  directory (Content-Length required, 500 MB at most, replacing the old
  one); delete_hpo_checkpoint removes it; the cache directory is published
  as /cache/ (templates/panda_server-httpd.conf: Alias /cache/), static
  files with HEAD and Range, no authentication.

Submission and task control, each as the real function it follows:
* task/submit (task_api.py:submit, task_event_module.py:insertTaskParamsPanda):
  userName (the compact DN) is set, and for a user taskType "anal" and
  taskPriority 1000; MAX_ACTIVE_TASKS_PER_USER_<label> (--max-active) refuses
  with code 10; a taskName is checked for duplicates ONLY when the parameters
  say uniqueTaskName (pathena and prun do, phpo does not: two phpo tasks may
  share a name) or for a retry with new parameters (allowActiveTask), against
  the user's tasks (an official task: everybody's): an active one gives code 2
  and the long "You can re-submit ..." text, an ended one is reactivated
  (code 3, command incexec, the changeable parameters copied).  A task that
  cannot be stored (no taskName, vo or prodSourceLabel) gives code 4 "failed
  to register task".  Anything else is stored, and JEDI's TaskRefiner breaks
  a task it cannot refine: status tobroken then broken, errorDialog the
  reason (--invalid broken, the default; --invalid reject refuses it at
  submission with code 4 and the reason, a simulator choice for tests).
* task/kill, finish, retry, pause, resume (task_api.py, sendCommandTaskPanda,
  _check_command_allowed): code 2 "jediTaskID=N not found", code 4
  "Command rejected: the X command is not accepted if the task is in S
  status " for a status that does not take the command (kill, finish: not
  finished done prepared broken aborted toabort aborting failed; retry:
  finished failed exhausted; pause: not finished failed done aborted broken
  paused; resume: paused throttled staging), retry of an active user task
  code 5 turned into 0 ("retry has been triggered for failed jobs ...");
  else code 0 "command=X is registered for task ID N. will be executed in a
  few minutes" and success is data == 0 (retry: success always true).  pause
  and resume need the production role (request_validation(production=True)),
  kill, finish and retry the task's owner or the production role.
* JEDI carrying out a command (task_complex_module.py:
  getTasksToExecCommand_JEDI, JediTaskSpec.commandStatusMap, TaskCommando):
  at the next tick the status is checked again (statusToRejectExtChange,
  statusToRetry, statusToIncexec, statusNotToPause; a command the status no
  longer takes is dropped), errorDialog becomes the command's comment ("kill
  by Test User", "soft finish by ..."), and: kill: aborting, then aborted,
  running jobs killed; finish: finishing, running jobs killed, or with soft
  left to end, then the final status; retry: toretry, ready, running; incexec:
  toincexec, ready, running; pause: paused (oldStatus the status before;
  running jobs go on to their end, no new ones start); resume: back to
  oldStatus, oldStatus cleared.
* The end of an HPO task: when every point is evaluated and max_points are
  there, iDDS's collection_hyperparameteropt message makes JEDI send a soft
  finish (pandajedi/jedimsgprocessor/hpo_msg_processor.py:
  HPOMsgProcPlugin.process): finishing, then the post-processor's final
  status (jedipprocess/PostProcessorBase.py:getFinalTaskStatus): finished
  once any point (event) has finished, else failed with errorDialog "failed
  since no file was successfully processed".  An HPO task never ends done.
* task/get_details (getJediTaskDetails) has only inDS, outDS, statistics,
  PandaID, mergeStatus, mergePandaID, and status / cliParams when asked;
  the name, dates and errorDialog come from task/get_detailed_info
  (get_task_details_json, with raw_task_params) or the listing.
* task/get_tasks_detailed_info_since (getTaskIDsWithCriteria_JEDI and the
  filters after it): since capped at 90 days, n_tasks (default 500) cuts the
  IDs first; a plain filter value is an equality on a known attribute, one
  holding a regular expression character is matched with re.search after
  the cut, an unknown field is ignored; NULL / NOT NULL.
* The sandbox cache (file_server_api.py: upload_cache_file,
  register_cache_file, validate_cache_file): an upload is recorded with the
  cache host that took it (sandboxHostname, here the address the request
  came to, or --cache-host), validate_cache_file answers
  FOUND:<host>:<file> naming that host; a name already there is not
  overwritten ("ERROR: cannot overwrite file"); the 10 MB limit is on the
  request's whole Content-Length (_get_content_length); each --listen
  address serves /cache/ from its own directory, so a file is fetched from
  the host that holds it.
* Simulated, not the real machinery: one status step per --tick
  (registered, defined, ready, running, then finishing and the final
  status above); while running, each tick ends the running evaluations
  (loss = sum of squares of the numbers, plus 1/b for a fidelity
  parameter's budget b, the reserved __hpo_ keys left out; --fail-every N
  fails every Nth job, a point failing 3 times gets loss 1e5), generates
  num_points_per_generation points when none wait, and starts nEvents of
  them; maxNumJobs jobs end it.  The points are drawn from opt_space by the
  simulator (--steering sample, the default), or come from the task's own
  steering command, run as iDDS runs it once every point has its loss
  (--steering exec: Sim.steer says where each step is from).  Neither
  JEDI nor iDDS looks into opt_space (check_task says where), so nor does
  the simulator.  The fault idds_down makes
  relay_idds_command answer [false, "failed to execute command with ..."]
  (the text made up).

Known divergences left (each a simplification, named so no test leans on it):
* the production role comes from --production-dn only, not from VOMS FQANs
  (/atlas/Role=production, common.py:has_production_role); an official
  task's workingGroup is not taken from the FQANs (getWorkingGroup);
* an RFC 3820 limited proxy is refused as "/CN=limited proxy" is; the real
  is_secure looks at the DN's text only, which an RFC 3820 proxy's DN lacks;
* a submitted task is a JEDI task at once (status registered); the real one
  sits in DEFT's T_TASK (status waiting) until JEDI takes it;
* the listing's n_tasks keeps the lowest task IDs (Oracle's rownum takes
  any), and a filter value that is not a string is an equality (the real
  server would fail on it); superStatus is the status;
* a cache host is named by its IP address, where the real server records
  a host name;
* parentTaskName (code 11), the DEFT duplicate check (code 1), retry
  qualifiers (no_child_retry, ...) and job-level commands are not simulated;
  exhausted, throttled, staging and scouting never happen by themselves.

Control port (plain HTTP, JSON):
  POST /fault {"kind": K, "count": N, "path": "task/submit"}  (path optional;
              "cache" for the files under /cache/, only when named)
       K: http500 | http429 (+"retry_after": S) | stall (+"seconds": S; the
       request is carried out after the stall) | truncate (Content-Length larger
       than the body, then close) | lost_submit (carried out, then the
       connection is closed unanswered; path defaults to task/submit)
  GET  /log[?endpoint=task/submit]  every request: port, method, path, endpoint,
       params, dn, auth, status (HTTP code, "tls", "dropped", "truncated"),
       fault, success, data (when not a list or object)
  GET  /faults, GET /tasks, GET /health
  POST /reset {"keep_tasks": false}   forget log, faults (and tasks, files)
  POST /task {"task_id": N, "status": S, "hold": true|false, "steps": K}  force a status,
       stop or restart its clock
  POST /config {"tick": S, "fail_every": N, "max_active": N, "hold_at": [S...]}
       (max_active: the server's MAX_ACTIVE_TASKS_PER_USER_user, null for
       none; hold_at: a task entering one of these statuses is held there,
       as by POST /task hold, so a test sees a passing status for sure)
"""

import argparse
import datetime
import gzip
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MB = 1024 * 1024
NO_BUILD_LIMIT, SOURCES_LIMIT, LOG_LIMIT, CHECKPOINT_LIMIT = 10 * MB, 768 * MB, 100 * MB, 500 * MB
MSG_SSL = "SSL secure connection is required"
MSG_PROD_ROLE = "production or pilot role required"
MSG_OWNER = "not the task owner or no production role"
MSG_TASK_ID = "jediTaskID must be an integer"
OID_PCI = ("1.3.6.1.5.5.7.1.14", "1.3.6.1.4.1.3536.1.222")  # proxyCertInfo: RFC 3820, GSI-3 draft
OID_LIMITED = "1.3.6.1.4.1.3536.1.1.1.9"
ACTIVE = ("registered", "defined", "ready", "scouting", "running", "paused", "throttled")
ENDED = ("finished", "failed", "aborted", "done", "exhausted")
NO_KILL = ("finished", "done", "prepared", "broken", "aborted", "toabort", "aborting", "failed")
NO_PAUSE = ("finished", "failed", "done", "aborted", "broken", "paused")  # JediTaskSpec.statusNotToPause
TO_RESUME = ("paused", "throttled", "staging")
# JediTaskSpec.statusToRejectExtChange, statusToRetry, statusToIncexec: what JEDI
# re-checks when it executes a command (getTasksToExecCommand_JEDI)
REJECT_EXT = ("finished", "done", "prepared", "broken", "tobroken", "aborted", "toabort", "aborting", "failed",
              "passed")
TO_RETRY = ("finished", "failed", "aborted", "exhausted")
TO_INCEXEC = ("done",) + TO_RETRY
INCEXEC_KEYS = ("site cloud includedSite excludedSite cliParams nFiles nEvents fixedSandbox "
                "currentPriority priority ramCount loopingCheck forceStaged allowIncompleteInDS "
                "t1Weight nEsConsumers nMaxFilesPerJob nGBPerJob noInputPooling nFilesPerJob "
                "nEventsPerWorker nJumboJobs avoidVP allowInputLAN useLocalIO noLoopingCheck "
                "maxCoreCount onlyTagsForFC useZipToPin ignoreMissingInDS noAutoPause").split()
TASK_ATTRS = ("jediTaskID taskName status userName creationDate modificationTime startTime endTime "
              "frozenTime prodSourceLabel workingGroup vo coreCount taskType processingType taskPriority "
              "currentPriority architecture transUses transHome transPath lockedBy lockedTime termCondition "
              "splitRule walltime walltimeUnit outDiskCount outDiskUnit workDiskCount workDiskUnit ramCount "
              "ramUnit ioIntensity ioIntensityUnit workQueue_ID progress failureRate errorDialog reqID "
              "oldStatus cloud site countryGroup parent_tid eventService ticketID ticketSystemType "
              "stateChangeTime superStatus campaign mergeRamCount mergeRamUnit mergeWalltime "
              "mergeWalltimeUnit throttledTime numThrottled mergeCoreCount goal assessmentTime cpuTime "
              "cpuTimeUnit cpuEfficiency baseWalltime nucleus baseRamCount ttcRequested ttcPredicted "
              "ttcPredictionDate rescueTime requestType gshare resource_type useJumbo diskIO diskIOUnit "
              "memory_leak_core memory_leak_x2 attemptNr container_name framework activatedTime "
              "queuedTime actionTime").split()
BAD_NAME_CHARS = "%|;><?'\"()$@:=&^#\\[]{}`*"
REQ = object()  # a required parameter


class Upload:
    """one file of a multipart form (werkzeug's FileStorage on the real server)"""
    def __init__(self, filename, data):
        self.filename, self.data = filename, data


# endpoint -> (HTTP method, secure, owner check, [(name, type or None, default)])
TID = ("task_id", int, REQ)
ENDPOINTS = {
    "system/is_alive": ("GET", False, False, []),
    "task/submit": ("POST", True, False, [("task_parameters", dict, REQ), ("parent_tid", int, None)]),
    "task/get_status": ("GET", True, False, [("task_id", None, REQ)]),
    "task/get_details": ("GET", True, False, [TID, ("include_parameters", bool, False),
                                              ("include_status", bool, False)]),
    "task/get_detailed_info": ("GET", True, False, [TID]),
    "task/get_tasks_detailed_info_since": ("GET", True, False, [("since", str, None), ("filters", str, None),
                                                                 ("n_tasks", int, 500)]),
    "task/get_task_parameters": ("GET", False, False, [TID]),
    "task/kill": ("POST", True, True, [TID, ("broadcast", bool, False)]),
    "task/finish": ("POST", True, True, [TID, ("soft", bool, False), ("broadcast", bool, False)]),
    "task/pause": ("POST", True, False, [TID]),
    "task/resume": ("POST", True, False, [TID]),
    "task/retry": ("POST", True, True, [TID, ("new_parameters", (dict, str), None)] +
                   [(n, bool, False) for n in ("no_child_retry", "discard_events", "disable_staging_mode",
                                               "keep_gshare_priority", "ignore_hard_exhausted")]),
    "job/get_metadata_for_analysis_jobs": ("GET", True, False, [TID]),
    "file_server/validate_cache_file": ("POST", True, False, [("file_size", int, REQ), ("checksum", (int, str), REQ)]),
    "file_server/upload_cache_file": ("POST", True, False, [("file", Upload, REQ)]),
    "file_server/upload_hpo_checkpoint": ("POST", True, False, [("file", Upload, REQ)]),
    "file_server/delete_hpo_checkpoint": ("POST", True, False, [("task_id", str, REQ), ("sub_id", str, REQ)]),
}


# request_validation(production=True): task_api.py's pause and resume
PRODUCTION_ONLY = ("task/pause", "task/resume")


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def answer(success, message="", data=None):
    return {"success": success, "message": message, "data": data}


def to_json(obj):
    def special(o):
        if isinstance(o, datetime.datetime):
            return {"__datetime__": o.isoformat()}
        raise TypeError(f"not serialisable: {type(o).__name__}")
    return json.dumps(obj, default=special)


def type_name(t):
    return " | ".join(x.__name__ for x in t) if isinstance(t, tuple) else t.__name__


# --- identities ---------------------------------------------------------------
def der_items(buf, pos, end):
    """the (tag, value start, value end) of each DER item in buf[pos:end]"""
    while pos < end:
        tag, n = buf[pos], buf[pos + 1]
        pos += 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(buf[pos:pos + k], "big")
            pos += k
        yield tag, pos, pos + n
        pos += n


def der_oid(b):
    first, rest, v = b[0], [], 0
    for c in b[1:]:
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            rest.append(v)
            v = 0
    return ".".join(str(x) for x in [min(first // 40, 2), first - 40 * min(first // 40, 2)] + rest)


def proxy_policy(der):
    """the policy language OID of the proxyCertInfo extension of a DER certificate, or None"""
    try:
        _, cs, ce = next(der_items(der, 0, len(der)))
        _, ts, te = next(der_items(der, cs, ce))
        for tag, s, e in der_items(der, ts, te):
            if tag != 0xA3:  # [3] extensions
                continue
            _, xs, xe = next(der_items(der, s, e))
            for _, es, ee in der_items(der, xs, xe):
                parts = list(der_items(der, es, ee))
                if der_oid(der[parts[0][1]:parts[0][2]]) not in OID_PCI:
                    continue
                _, ps, pe = next(der_items(der, parts[-1][1], parts[-1][2]))
                for t2, s2, e2 in der_items(der, ps, pe):
                    if t2 == 0x30:  # ProxyPolicy
                        _, ls, le = next(der_items(der, s2, e2))
                        return der_oid(der[ls:le])
    except (StopIteration, IndexError):
        pass
    return None


RDN_SHORT = {"domainComponent": "DC", "organizationName": "O", "organizationalUnitName": "OU",
             "commonName": "CN", "countryName": "C", "localityName": "L", "emailAddress": "emailAddress"}


def cert_dn(cert):
    """the DN of getpeercert()'s subject in the slash form of SSL_CLIENT_S_DN"""
    return "".join(f"/{RDN_SHORT.get(k, k)}={v}" for rdn in cert.get("subject", ()) for k, v in rdn)


def compact_user(dn):
    """the user name PanDA keeps for a DN (after CoreUtils.clean_user_id, simplified)"""
    s = re.sub(r"/(DC|O|OU|C|L)=[^/]+", "", dn)
    s = re.sub(r"/CN=(\d+|proxy|limited proxy|Robot:[^/]*|nickname:[^/]*)(?=/|$)", "", s)
    cns = [c for c in s.split("/CN=") if c]
    name = cns[-1] if cns else dn
    return re.split(r"/email", name, flags=re.I)[0].strip()


def nickname_of(dn):
    m = re.search(r"/CN=nickname:([^/]+)", dn)
    if m:
        return m.group(1)
    for cn in re.findall(r"/CN=([^/]+)", dn):
        if not re.fullmatch(r"\d+|proxy|limited proxy", cn):
            return re.sub(r"[^a-z0-9]", "", cn.lower())
    return ""


# --- HPO points -----------------------------------------------------------------
def sample(rng, dim_spec):
    """a value for one parameter of the space (--steering sample), which
    nobody checked: None for what cannot be sampled"""
    m, d = dim_spec.get("method"), dim_spec.get("dimension", {})
    if not isinstance(d, dict):
        return None
    lo, hi = d.get("low", 0), d.get("high", 1)
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lo, hi)):
        return None
    if m == "fidelity":
        return hi  # the full budget, as every algorithm that is not multi-fidelity gives
    if m == "categorical":
        return rng.choice(d.get("categories") or [None])
    if m == "uniformint":
        return rng.randint(int(lo), int(hi))
    if m in ("loguniform", "qloguniform") and lo > 0 and hi > 0:
        v = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    elif m in ("normal", "qnormal", "lognormal", "qlognormal"):
        v = rng.gauss(d.get("mu", 0), d.get("sigma", 1))
        v = math.exp(v) if m.endswith("lognormal") else v
    elif m == "fixed":
        return d.get("value", lo)
    else:
        v = rng.uniform(lo, hi)
    q = d.get("q")
    return round(v / q) * q if m.startswith("q") and q else v


def fidelity_names(space):
    """the names of the space's fidelity parameters (the training budget)"""
    if not isinstance(space, dict):
        return ()
    return tuple(k for k, v in space.items() if isinstance(v, dict) and v.get("method") == "fidelity")


def loss_of(params, space=None):
    """deterministic: sum of squares of the numbers, a category counts its
    length; the reserved keys (__hpo_trial, __hpo_continues) are not the
    training's; a fidelity parameter's value b is the epochs trained, which
    add 1/b (a learning curve: more epochs, a lower loss, and at one budget
    the configurations rank as at any other)"""
    total, budget = 0.0, fidelity_names(space)
    if not isinstance(params, dict):
        return 1e5
    for k, v in params.items():
        if isinstance(v, bool) or v is None or k.startswith("__hpo_"):
            continue
        if k in budget:
            total += 1.0 / float(v) if isinstance(v, (int, float)) and v > 0 else 1e5
            continue
        total += float(v) ** 2 if isinstance(v, (int, float)) else len(str(v))
    return round(total, 6)


def is_int(v, least=0):
    return isinstance(v, int) and not isinstance(v, bool) and v >= least


def check_task(p, nickname):
    """why JEDI could not run this HPO task, or None"""
    for k in ("taskName", "vo", "prodSourceLabel"):
        if not isinstance(p.get(k), str) or not p[k]:
            return f"{k} is missing or not a string"
    name = p["taskName"]
    if not name.startswith(f"user.{nickname}."):
        return f"taskName must start with user.{nickname}."
    if not name.endswith("/"):
        return "taskName must end with /"
    if len(name) > 132:
        return f"taskName is too long ({len(name)} > 132)"
    bad = [c for c in BAD_NAME_CHARS if c in name]
    if bad:
        return f"taskName has the invalid character {bad[0]}"
    if p["prodSourceLabel"] != "user":
        return "prodSourceLabel must be user"
    if p.get("hpoWorkflow") is not True:
        return "hpoWorkflow must be true"
    if p.get("noInput") is not True:
        return "noInput must be true"
    for k in ("nEvents", "nEventsPerJob", "maxNumJobs", "totNumJobs"):
        if not is_int(p.get(k), 1):
            return f"{k} must be a positive integer"
    h = p.get("hpoRequestData")
    if not isinstance(h, dict):
        return "hpoRequestData must be an object"
    if not (h.get("sandbox") is None or isinstance(h.get("sandbox"), str)):
        return "hpoRequestData.sandbox must be a string"
    for k in ("executable", "arguments", "output_json"):
        if not isinstance(h.get(k), str) or not h[k]:
            return f"hpoRequestData.{k} must be a non-empty string"
    for k in ("max_points", "num_points_per_generation"):
        if not is_int(h.get(k), 1):
            return f"hpoRequestData.{k} must be a positive integer"
    if "min_unevaluated_points" in h and not is_int(h["min_unevaluated_points"]):
        return "hpoRequestData.min_unevaluated_points must be an integer"
    # opt_space is not looked at: JEDI hands hpoRequestData to iDDS as it
    # came (jedirefine/TaskRefinerBase.py: doBasicRefine, "send HPO request": a
    # copy of it is the request_metadata of iDDS's add_request), iDDS's REST
    # layer passes its opt_space on untouched (main/lib/idds/rest/v1/utils.py:
    # convert_hpo_request_metadata_to_workflow, into ATLASHPOWork), and
    # ATLASHPOWork.generate_input_json writes it into the steering's %IN as it
    # is.  No method is checked anywhere (a search space in a vocabulary
    # iDDS never heard of, as fidelity, goes through); only the steering
    # command reads it.
    jp = p.get("jobParameters")
    if not isinstance(jp, list) or not jp:
        return "jobParameters must be a non-empty list"
    for i, item in enumerate(jp):
        if not isinstance(item, dict) or item.get("type") not in ("constant", "template"):
            return f"jobParameters[{i}] must be an object of type constant or template"
        if not isinstance(item.get("value"), str):
            return f"jobParameters[{i}].value must be a string"
        if item["type"] == "template" and "param_type" not in item:
            return f"jobParameters[{i}] is a template without param_type"
    log = p.get("log")
    if not isinstance(log, dict) or log.get("type") != "template" or log.get("param_type") != "log" \
            or not isinstance(log.get("value"), str) or not isinstance(log.get("dataset"), str):
        return "log must be a template of param_type log with dataset and value"
    ms = p.get("multiStepExec")
    if ms is not None and (not isinstance(ms, dict) or not isinstance(ms.get("containerOptions", {}), dict)):
        return "multiStepExec must be an object"
    return None


# --- the simulated PanDA --------------------------------------------------------
class Sim:
    def __init__(self, args):
        self.a = args
        self.lock = threading.RLock()
        self.state_dir = args.state_dir or tempfile.mkdtemp(prefix="panda-sim.")
        # one cache directory per cache host (the addresses the main port
        # listens on), as each of PanDA's cache servers keeps its own
        # panda_config.cache_dir: the first address's is <state>/cache
        self.nodes = args.listen
        self.cache_dirs = {n: os.path.join(self.state_dir, "cache" if i == 0 else f"cache-{n}")
                           for i, n in enumerate(self.nodes)}
        self.cache_dir = self.cache_dirs[self.nodes[0]]
        for d in self.cache_dirs.values():
            os.makedirs(d, exist_ok=True)
        self.tokens = self.load_tokens(args.tokens) if args.tokens else None
        self.reset()

    def reset(self, keep_tasks=False):
        with self.lock:
            self.log, self.faults = [], []
            if not keep_tasks:
                self.tasks, self.files, self.next_id, self.next_panda_id = {}, {}, self.a.first_id, 4000000000
                for d in self.cache_dirs.values():
                    for f in os.listdir(d):
                        os.remove(os.path.join(d, f))

    @staticmethod
    def load_tokens(path):
        with open(path) as f:
            out = {}
            for t in json.load(f):
                t = {"token": t} if isinstance(t, str) else t
                out[t["token"]] = t
            return out

    def token_identity(self, header, origin):
        """(DN, None) for an accepted bearer token, else (None, why)"""
        tok = header.split(None, 1)[1].strip() if len(header.split(None, 1)) == 2 else ""
        if origin is None:
            return None, "Token decode failure. 'NoneType' object has no attribute 'replace'"
        vo = origin.replace(":", ".").split(".")[0]
        if tok not in self.tokens:
            return None, "Invalid token. Signature verification failed"
        t = self.tokens[tok]
        if vo not in self.a.vo or t.get("vo", vo) != vo:
            return None, f"Unknown vo : {vo}"
        name = t.get("name", self.a.token_user)
        dn = " ".join(w[:1].upper() + w[1:].lower() for w in name.split())
        nick = t.get("preferred_username") or self.a.nickname or re.sub(r"[^a-z0-9]", "", name.lower())
        return f"{dn}/CN=nickname:{nick}", None

    def record(self, entry):
        with self.lock:
            entry.update(seq=len(self.log) + 1, time=now().isoformat())
            self.log.append(entry)

    def take_fault(self, endpoint, exact=False):
        with self.lock:
            for f in self.faults:
                if f.get("path") == endpoint or (not exact and f.get("path") is None):
                    f["count"] -= 1
                    if f["count"] <= 0:
                        self.faults.remove(f)
                    return dict(f)
        return None

    def is_prod(self, dn):
        return any(p in dn for p in self.a.production_dn)

    def nickname(self, dn):
        return self.a.nickname or nickname_of(dn)

    # tasks
    def task(self, tid):
        try:
            return self.tasks.get(int(tid))
        except (TypeError, ValueError):
            return None

    def set_status(self, t, status):
        t["oldStatus"], t["status"] = t["status"], status
        if status in (self.a.hold_at or ()):
            t["hold"] = True
        # superStatus: a filter of the listing may name it (pbook's superstatus);
        # simplified: the status itself (JEDI sets its own, setSuperStatus_JEDI)
        t["superStatus"] = status
        t["modificationTime"] = t["stateChangeTime"] = now()
        if status == "running" and t["startTime"] is None:
            t["startTime"] = now()
        if status in ENDED + ("broken",):
            t["endTime"] = now()
        t["next_step"] = time.monotonic() + self.a.tick

    def insert_task(self, params, dn, allow_active=False):
        """insertTaskParamsPanda: (code, message)"""
        user = compact_user(dn)
        prod = self.is_prod(dn)
        params = dict(params)
        # as insertTaskParamsPanda: the user name, and a user's task is an
        # analysis task of priority 1000, whatever the parameters said
        if not prod or "userName" not in params:
            params["userName"] = user
        if not prod or "taskType" not in params:
            params["taskType"], params["taskPriority"] = "anal", 1000
        for k in ("taskName", "vo", "prodSourceLabel"):
            if not isinstance(params.get(k), str):
                return 4, "failed to register task" + (f": {k} is missing" if self.a.invalid == "reject" else "")
        why = check_task(params, self.nickname(dn))
        if why and self.a.invalid == "reject":
            return 4, f"failed to register task: {why}"
        with self.lock:
            mine = [t for t in self.tasks.values() if t["userName"] == params["userName"]]
            if self.a.max_active is not None:
                n = sum(1 for t in mine if t["status"] in ACTIVE and t["prodSourceLabel"] == params["prodSourceLabel"])
                if n > self.a.max_active:
                    return 10, f"Too many active tasks for {params['userName']} {n}>{self.a.max_active}"
            # as insertTaskParamsPanda: a task name is checked for duplicates
            # only for analysis tasks that ask for it (uniqueTaskName: pathena
            # and prun set it, phpo does not) and for a retry with new
            # parameters; an official (group) name against every user's tasks
            if params["taskType"] == "anal" and (params.get("uniqueTaskName") is True or allow_active):
                pool = self.tasks.values() if params.get("official") is True else mine
                same = sorted((t for t in pool if t["taskName"] == params["taskName"] and t["vo"] == params["vo"]
                               and t["prodSourceLabel"] == params["prodSourceLabel"]),
                              key=lambda t: -t["jediTaskID"])
                if same:
                    return self.reuse_task(same[0], params, allow_active)
            tid = self.next_id
            self.next_id += 1
            t = {a: None for a in TASK_ATTRS}
            t.update(jediTaskID=tid, reqID=tid, taskName=params["taskName"], status="registered",
                     userName=params["userName"],
                     dn=dn, creationDate=now(), modificationTime=now(), prodSourceLabel=params["prodSourceLabel"],
                     vo=params["vo"], taskType=params["taskType"], taskPriority=params.get("taskPriority"),
                     currentPriority=params.get("taskPriority"),
                     gshare="User Analysis", attemptNr=0, parent_tid=tid, params=params, points=[], jobs=[],
                     why=why, command=None, next_step=time.monotonic() + self.a.tick, rng=random.Random(tid))
            for k in ("workingGroup", "coreCount", "processingType", "architecture", "transUses", "transHome",
                      "transPath", "site", "container_name"):
                t[k] = params.get(k)
            self.tasks[tid] = t
            return 0, f"succeeded. new jediTaskID={tid}"

    def reuse_task(self, t, params, allow_active):
        tid, st = t["jediTaskID"], t["status"]
        if st not in ENDED and not (allow_active and st in ("running", "scouting", "pending")
                                    and params["prodSourceLabel"] == "user"):
            return 2, (f"jediTaskID={tid} is in the {st} state for outDS={params['taskName']}. "
                       "You can re-submit the task with new parameters for the same or another input "
                       "once it goes into finished/failed/done. "
                       "Or you can retry the task once it goes into running/finished/failed/done. "
                       "Note that retry != resubmission according to "
                       "https://twiki.cern.ch/twiki/bin/view/PanDA/PandaJEDI#Task_retry_and_resubmission ")
        new = {}
        for k, v in params.items():
            if k.startswith("dsFor") or k in INCEXEC_KEYS:
                if k == "priority":
                    k = "currentPriority"
                if k == "loopingCheck":
                    k, v = "noLoopingCheck", not v
                new[k] = v
        t["params"].update(new)
        if st in ENDED:
            t["command"] = "incexec"
            return 3, (f"reactivation accepted. jediTaskID={tid} (currently in {st} state) "
                       "will be re-executed with old and/or new input")
        return 5, f"{st}. new tasks params have been set to jediTaskID={tid}. "

    def command(self, tid, dn, com, qualifier=None):
        """sendCommandTaskPanda with proper error codes (task_event_module.py;
        which status takes which command: _check_command_allowed)"""
        with self.lock:
            t = self.tasks.get(tid)
            if t is None:
                return 2, f"jediTaskID={tid} not found"
            st, extra, allowed = t["status"], "", True
            if com in ("kill", "finish"):
                allowed = st not in NO_KILL
            elif com == "retry":
                allowed = st in ("finished", "failed", "exhausted")
                if st == "exhausted" and not self.is_prod(dn):
                    allowed, extra = False, "and production role is missing"
            elif com == "pause":
                allowed = st not in NO_PAUSE
            elif com == "resume":
                allowed = st in TO_RESUME
            if not allowed:
                if com == "retry" and st in ("running", "scouting", "pending") and t["prodSourceLabel"] == "user":
                    return 5, st
                return 4, f"Command rejected: the {com} command is not accepted if the task is in {st} status {extra}"
            t["command"] = com if not qualifier else f"{com}:{qualifier}"
            # the command's comment (PRODSYS_COMM.comm_comment), which JEDI
            # writes into errorDialog when it executes the command
            t["command_comment"] = f"{qualifier + ' ' if qualifier else ''}{com} by {compact_user(dn)}"
            return 0, f"command={com} is registered for task ID {tid}. will be executed in a few minutes"

    def step_all(self):
        with self.lock:
            for t in self.tasks.values():
                if time.monotonic() >= t["next_step"] and not t.get("hold"):
                    self.step(t)

    def exec_command(self, t, com):
        """JEDI takes a registered command (getTasksToExecCommand_JEDI): it
        checks the task's status again (a command the status no longer takes
        fails and changes nothing), sets the status of commandStatusMap's
        "doing", oldStatus and errorDialog (the command's comment); pause and
        resume: paused, and back to the status before (oldStatus)"""
        st, verb = t["status"], com.split(":")[0]
        ok = {"retry": st in TO_RETRY, "incexec": st in TO_INCEXEC, "pause": st not in NO_PAUSE,
              "resume": st in TO_RESUME}.get(verb, st not in REJECT_EXT)
        if not ok:
            return None
        t["errorDialog"] = t.pop("command_comment", None)
        if verb == "kill":
            self.kill_jobs(t)
            return self.set_status(t, "aborting")
        if verb == "finish":
            # TaskCommando: a soft finish waits for the running jobs, a
            # finish kills them
            if com != "finish:soft":
                self.kill_jobs(t)
            return self.set_status(t, "finishing")
        if verb == "pause":
            return self.set_status(t, "paused")
        if verb == "resume":
            self.set_status(t, t["oldStatus"] or "running")
            t["oldStatus"] = None  # oldStatus=NULL when leaving paused
            return None
        for p in t["points"]:
            if p["state"] == "failed":
                p.update(state="new", loss=None, attempts=0)
        t["attemptNr"] += 1
        return self.set_status(t, "toretry" if verb == "retry" else "toincexec")

    @staticmethod
    def kill_jobs(t):
        """TaskCommando kills the task's running jobs (killJobs): their
        points are left without a loss"""
        for job in t["jobs"]:
            if job["status"] == "running":
                job["status"] = "cancelled"
                for pt in t["points"]:
                    if pt["id"] == job["point"] and pt["state"] == "running":
                        pt["state"] = "new"

    def step(self, t):
        st, com = t["status"], t["command"]
        t["command"] = None
        if com:
            return self.exec_command(t, com)
        nxt = {"registered": "defined", "defined": "ready", "ready": "running", "toretry": "ready",
               "toincexec": "ready", "aborting": "aborted", "tobroken": "broken"}
        if st == "registered" and t["why"]:
            # TaskRefiner: a task it cannot refine goes tobroken, errorDialog why
            t["errorDialog"] = t["why"]
            return self.set_status(t, "tobroken")
        if st in nxt:
            return self.set_status(t, nxt[st])
        if st == "finishing":
            self.run_points(t, start=False)
            if any(pt["state"] == "running" for pt in t["points"]):
                t["next_step"] = time.monotonic() + self.a.tick  # a soft finish waits for them
                return None
            return self.set_status(t, self.final_status(t))
        if st == "running":
            self.run_points(t)
            t["next_step"] = time.monotonic() + self.a.tick
        if st == "paused":
            # pause throttles the jobs not yet running (activated); running
            # ones go on to their end (getTasksToExecCommand_JEDI)
            self.run_points(t, start=False)
            t["next_step"] = time.monotonic() + self.a.tick

    def final_status(self, t):
        """as pandajedi/jedipprocess/PostProcessorBase.py:getFinalTaskStatus
        (called by doBasicPostProcess with update_error_dialog=True) for an HPO
        task: "HPO tasks always go to finished" once any event (point) has
        finished, whatever the file counts say; with none, the file rule: no
        file finished is failed, with its error dialog.  So an HPO task never
        ends done."""
        if any(p["state"] == "done" for p in t["points"]):
            return "finished"
        t["errorDialog"] = "failed since no file was successfully processed"
        return "failed"

    def run_points(self, t, start=True):
        p = t["params"]
        h = p.get("hpoRequestData", {})
        max_points, per_gen = h.get("max_points", 1), h.get("num_points_per_generation", 1)
        parallel = p.get("nEvents") or 1
        for pt in t["points"]:
            if pt["state"] != "running":
                continue
            job = next(j for j in reversed(t["jobs"]) if j["point"] == pt["id"])
            if self.a.fail_every and job["n"] % self.a.fail_every == 0:
                job["status"] = "failed"
                pt["attempts"] += 1
                pt["state"] = "failed" if pt["attempts"] >= 3 else "new"
                if pt["state"] == "failed":
                    pt["loss"] = 1e5
            else:
                pt["loss"] = loss_of(pt["parameters"], h.get("opt_space"))
                pt["state"], job["status"] = "done", "finished"
                job["metadata"] = {"hpo_point_id": pt["id"], "loss": pt["loss"]}
        if not start:
            return None
        waiting = [pt for pt in t["points"] if pt["state"] == "new"]
        if self.a.steering == "exec":
            # ATLASHPOWork.poll_processing_updates: a steering run once no
            # point is left without its loss, for min(num_points, max_points
            # less the points evaluated) points
            evaluated = sum(1 for pt in t["points"] if pt["loss"] is not None)
            if evaluated == len(t["points"]) and not t.get("steering_end") and max_points > evaluated:
                for params in self.steer(t, h, min(per_gen, max_points - evaluated), max_points):
                    t["points"].append({"id": str(len(t["points"])), "parameters": params, "loss": None,
                                        "state": "new", "attempts": 0})
                waiting = [pt for pt in t["points"] if pt["state"] == "new"]
        elif not waiting and len(t["points"]) < max_points:
            space = h.get("opt_space") or {}
            for _ in range(min(per_gen, max_points - len(t["points"]))):
                i = len(t["points"])
                sp = space[i % len(space)].get("search_space", {}) if isinstance(space, list) and space else space
                sp = sp if isinstance(sp, dict) else {}
                params = {k: sample(t["rng"], v) for k, v in sp.items() if isinstance(v, dict)}
                t["points"].append({"id": str(i), "parameters": params, "loss": None, "state": "new", "attempts": 0})
            waiting = [pt for pt in t["points"] if pt["state"] == "new"]
        if len(t["jobs"]) >= (p.get("maxNumJobs") or 10 ** 9) and waiting:
            return self.set_status(t, "finishing")
        for pt in waiting[:parallel]:
            self.next_panda_id += 1
            t["jobs"].append({"PandaID": self.next_panda_id, "point": pt["id"], "status": "running",
                              "n": len(t["jobs"]) + 1})
            pt["state"] = "running"
        if not any(pt["state"] in ("new", "running") for pt in t["points"]) and \
                (len(t["points"]) >= max_points or t.get("steering_end")):
            # iDDS ends the HPO work with a collection_hyperparameteropt message, on
            # which JEDI sends the task a soft finish (pandajedi/jedimsgprocessor/
            # hpo_msg_processor.py:HPOMsgProcPlugin.process): finishing, then the
            # post-processor's final status
            t["command"] = "finish:soft"

    def steer(self, t, h, num_points, max_points):
        """the task's steering command run as iDDS runs it (--steering exec):
        HSF/iDDS atlas/lib/idds/atlas/workflow/atlashpowork.py, ATLASHPOWork:
        generate_input_json writes {"points": [[point, loss-or-null], ...],
        "opt_space": <hpoRequestData's, as it came>} to idds_input.json in the
        run's directory; generate_processing_script_container replaces %MAX_POINTS,
        %NUM_POINTS, %IN and %OUT in the arguments (common/lib/idds/common/
        utils.py: replace_parameters_with_values, plain text) with max_points,
        the points wanted, that file's name and output_json, and runs them in
        the steering container (docker run with the run's directory mounted);
        here they run with /bin/sh in the run's directory on this machine,
        whatever the container (hpo-steer on PATH is the steering image's).
        parse_processing_outputs reads output_json; poll_processing_updates
        takes every point of it, ends the search when it is empty, and tries
        a failed run again up to 3 times before it gives up.  Divergence:
        NUM_POINTS is phpo's num_points_per_generation (as the older
        processing/hyperparameteropt_condor_submitter.py takes it), where
        ATLASHPOWork reads a num_points_per_iteration (default 10) that phpo
        never sends; a list holding anything but objects counts as a failed
        run (iDDS would hand it to the jobs)."""
        runs = t.setdefault("steering", [])
        d = os.path.join(self.state_dir, "steering", str(t["jediTaskID"]), f"run-{len(runs) + 1}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "idds_input.json"), "w") as f:
            json.dump({"points": [[pt["parameters"], pt["loss"]] for pt in t["points"]],
                       "opt_space": h.get("opt_space")}, f)
        out = h.get("output_json") or "output.json"
        cmd = str(h.get("arguments", ""))
        for k, v in (("MAX_POINTS", max_points), ("NUM_POINTS", num_points), ("IN", "idds_input.json"),
                     ("OUT", out)):
            cmd = cmd.replace("%" + k, str(v))
        run = {"n": len(runs) + 1, "command": cmd, "num_points": num_points, "points": 0, "error": None}
        runs.append(run)
        try:
            with open(os.path.join(d, "steering.log"), "wb") as log:
                rc = subprocess.run(["/bin/sh", "-c", cmd], cwd=d, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, timeout=120).returncode
            with open(os.path.join(d, out)) as f:
                points = json.load(f)
            if rc != 0 or not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
                raise ValueError(f"exit status {rc}, {out}: not a list of points")
        except (OSError, ValueError, subprocess.TimeoutExpired) as e:
            run["error"] = str(e)
            if sum(1 for r in runs if r["error"]) > 3:
                t["steering_end"] = f"steering failed: {e}"
            return []
        run["points"] = len(points)
        if not points:
            t["steering_end"] = "no more points"
        return points

    def statistics(self, t):
        h = t["params"].get("hpoRequestData", {})
        done = sum(1 for p in t["points"] if p["state"] == "done")
        failed = sum(1 for p in t["points"] if p["state"] == "failed")
        running = sum(1 for p in t["points"] if p["state"] == "running")
        tobedone = max(0, h.get("max_points", 0) - done - failed - running) if t["status"] not in ENDED else 0
        parts = [(n, c) for n, c in (("tobedone", tobedone), ("finished", done), ("failed", failed),
                                     ("running", running)) if c]
        return ",".join(f"{n}*{c}" for n, c in parts)

    def details_json(self, t):
        d = {a: t.get(a) for a in TASK_ATTRS}
        d["superStatus"] = t["status"]
        n = t["params"].get("hpoRequestData", {}).get("max_points", 0)
        fin = sum(1 for p in t["points"] if p["state"] == "done")
        fail = sum(1 for p in t["points"] if p["state"] == "failed")
        d.update(job_execution_params=" ".join(j.get("value", "") for j in t["params"].get("jobParameters", [])
                                               if isinstance(j, dict)),
                 task_creation_arguments=t["params"].get("cliParams"), raw_task_params=t["params"],
                 nFiles=n, nFilesFinished=fin, nFilesFailed=fail, nFilesMissing=0,
                 pctFinished=round(100 * fin / n) if n else 0, pctFailed=round(100 * fail / n) if n else 0)
        return d

    # --- the endpoints ---------------------------------------------------------
    def call(self, ep, dn, a):
        with self.lock:
            return getattr(self, "ep_" + ep.replace("/", "_"))(dn, **a)

    def ep_system_is_alive(self, dn):
        return answer(True)

    def ep_task_submit(self, dn, task_parameters, parent_tid=None):
        code, msg = self.insert_task(task_parameters, dn)
        if code not in (0, 3):
            return answer(False, msg, code)
        m = re.search(r"jediTaskID=(\d+)", msg)
        return answer(True, msg, int(m.group(1)) if m else None)

    def ep_task_get_status(self, dn, task_id):
        try:
            t = self.tasks.get(int(task_id))
        except ValueError:
            return answer(False, MSG_TASK_ID)
        return answer(True, data=t["status"]) if t else answer(False, "Task not found")

    def ep_task_get_details(self, dn, task_id, include_parameters=False, include_status=False):
        """as pandaserver/api/v1/task_api.py:get_details over
        taskbuffer/db_proxy_mods/task_event_module.py:getJediTaskDetails: inDS,
        outDS, statistics, PandaID, mergeStatus, mergePandaID, status (with
        include_status), cliParams (with include_parameters), and nothing else:
        no task name, no dates, no error dialog (task/get_detailed_info has them)"""
        t = self.tasks.get(task_id)
        if t is None:
            return answer(False, "Task not found or error retrieving the details")
        log_ds = (t["params"].get("log") or {}).get("container", "")
        d = {"inDS": "", "outDS": ",".join(x for x in (t["taskName"], log_ds) if x),
             "statistics": self.statistics(t), "PandaID": [j["PandaID"] for j in t["jobs"]],
             "mergeStatus": None, "mergePandaID": []}
        if include_status:
            d["status"] = t["status"]
        if include_parameters:
            d["cliParams"] = t["params"].get("cliParams", "")
        return answer(True, data=d)

    def ep_task_get_detailed_info(self, dn, task_id):
        t = self.tasks.get(task_id)
        return answer(True, data=self.details_json(t)) if t else \
            answer(False, "Task not found or error retrieving task info")

    def ep_task_get_tasks_detailed_info_since(self, dn, since=None, filters=None, n_tasks=500):
        """as pandaserver/api/v1/task_api.py:get_tasks_detailed_info_since: the
        filters split into plain values (SQL equality) and values with one of
        ^$*+?\\|() (re.search on the task's details after the SQL step; a field
        the details lack is silently ignored); then, as
        db_proxy_mods/task_standalone_module.py:getTaskIDsWithCriteria_JEDI, a
        plain-value field that is no JediTaskSpec attribute fails the whole call
        ("Failed to retrieve task IDs"), "NULL" and "NOT NULL" test for null,
        since is capped at 90 days ago (and is 90 days ago when omitted: the
        docstring's "no cap" is not what the code does), and n_tasks cuts the
        ids (rownum) before the pattern filters, sorted by jediTaskID.
        Divergence: rownum takes any n_tasks rows; here the lowest ids."""
        crit, regex = {"userName": compact_user(dn)}, {}
        if filters:
            try:
                parsed = json.loads(filters)
            except ValueError:
                return answer(False, "filters is not valid JSON")
            if not isinstance(parsed, dict):
                return answer(False, "filters must be a JSON object")
            for k, v in parsed.items():
                (regex if isinstance(v, str) and any(c in v for c in r"^$*+?\|()") else crit)[k] = v
        if any(k not in TASK_ATTRS for k in crit):
            return answer(False, "Failed to retrieve task IDs")
        floor = now() - datetime.timedelta(days=90)
        if since is not None:
            try:
                floor = max(floor, datetime.datetime.strptime(since, "%Y-%m-%d %H:%M:%S"))
            except ValueError:
                return answer(False, "Failed to retrieve task IDs")

        def equal(value, want):
            if want in ("NULL", None):
                return value is None
            if want == "NOT NULL":
                return value is not None
            return value is not None and str(value) == str(want)
        ids = [tid for tid in sorted(self.tasks)
               if self.tasks[tid]["modificationTime"] >= floor
               and all(equal(self.tasks[tid].get(k), v) for k, v in crit.items())][:n_tasks]
        out = []
        for tid in ids:
            d = self.details_json(self.tasks[tid])
            if all(k not in d or re.search(v, str(d[k])) for k, v in regex.items()):
                out.append(d)
        return answer(True, data=out)

    def ep_task_get_task_parameters(self, dn, task_id):
        t = self.tasks.get(task_id)
        return answer(True, data=t["params"]) if t else answer(False, "Task not found")

    def ep_task_kill(self, dn, task_id, broadcast=False):
        code, msg = self.command(task_id, dn, "kill")
        return answer(code == 0, msg, code)

    def ep_task_finish(self, dn, task_id, soft=False, broadcast=False):
        code, msg = self.command(task_id, dn, "finish", "soft" if soft else None)
        return answer(code == 0, msg, code)

    def ep_task_pause(self, dn, task_id):
        """task_api.py:pause (production role only, checked before)"""
        code, msg = self.command(task_id, dn, "pause")
        return answer(code == 0, msg, code)

    def ep_task_resume(self, dn, task_id):
        """task_api.py:resume (production role only, checked before)"""
        code, msg = self.command(task_id, dn, "resume")
        return answer(code == 0, msg, code)

    def ep_task_retry(self, dn, task_id, new_parameters=None, **_):
        if new_parameters:
            try:
                new = json.loads(new_parameters) if isinstance(new_parameters, str) else new_parameters
                merged = dict(self.tasks[task_id]["params"])
                merged.update(new)
                code, msg = self.insert_task(merged, dn, allow_active=True)
            except Exception as e:  # as the server: any failure here is code 1
                code, msg = 1, f"new parameter conversion failed with {e}"
        else:
            code, msg = self.command(task_id, dn, "retry")
        if code == 5:
            code, msg = (3 if new_parameters else 0), f"retry has been triggered for failed jobs while the task is still {msg}"
        return answer(True, msg, code)

    def ep_job_get_metadata_for_analysis_jobs(self, dn, task_id):
        t = self.tasks.get(task_id)
        meta = {str(j["PandaID"]): j["metadata"] for j in (t["jobs"] if t else []) if j.get("metadata")}
        return answer(True, data=meta) if meta else answer(True, "No metadata found", {})

    def ep_file_server_validate_cache_file(self, dn, file_size, checksum):
        # as file_server_api.py:validate_cache_file over checkSandboxFile
        # (misc_standalone_module.py): the user's file of that size and
        # checksum from the last 3 days, "FOUND:<host>:<file>" with the host
        # recorded at the upload, answered by any host
        user = compact_user(dn)
        for (_, name), f in self.files.items():
            if f["user"] == user and f["size"] == file_size and f["checksum"] == str(checksum) \
                    and now() - f["time"] < datetime.timedelta(days=3):
                return answer(True, f"FOUND:{f['host']}:{name}")
        return answer(False, "NOTFOUND")

    def ep_file_server_upload_cache_file(self, dn, file, content_length=0, node=None):
        # as file_server_api.py:upload_cache_file: the limit applies to the
        # request's whole Content-Length (_get_content_length), the multipart
        # envelope included; an existing name is touched and refused
        # (ERROR_OVERWRITE); the file goes to this host's cache directory and
        # register_cache_file records panda_config.sandboxHostname (here
        # --cache-host) or else the host that took it (req.get_remote_host()
        # of the cache server calling; here the address the upload reached)
        if "/CN=limited proxy" in dn:
            return answer(False, "ERROR: rejected due to the usage of limited proxy")
        name = file.filename.split("/")[-1]
        if name.endswith(".out"):
            limit, tail = LOG_LIMIT, " Please remove redundant files from your work area"
        elif not name.startswith("sources."):
            limit = NO_BUILD_LIMIT
            tail = " Please submit the job without --noBuild/--libDS since those options impose a tighter size limit"
        else:
            limit, tail = SOURCES_LIMIT, " Please remove redundant files from your work area"
        if content_length > limit:
            return answer(False, f"ERROR: upload failure. Exceeded size limit {content_length // MB} MB > "
                                 f"{limit // MB} MB.{tail}")
        path = os.path.join(self.cache_dirs[node], name)
        if os.path.exists(path) and not file.filename.endswith(".__ow__"):
            os.utime(path)
            return answer(False, "ERROR: cannot overwrite file")
        with open(path, "wb") as f:
            f.write(file.data)
        crc = str(struct.unpack("<I", file.data[-8:-4])[0]) if len(file.data) >= 8 else None
        self.files[(node, name)] = {"user": compact_user(dn), "size": len(file.data), "checksum": crc,
                                    "time": now(), "host": self.a.cache_host or node}
        return answer(True)

    def ep_file_server_upload_hpo_checkpoint(self, dn, file, content_length=0, node=None):
        # as file_server_api.py:upload_hpo_checkpoint: into the cache
        # directory of the host that took it (runHPO uploads to the job's
        # --sourceURL and fetches from there)
        try:
            tid, sub = file.filename.split("/")[-1].split("_")
        except ValueError:
            return answer(False, "Failed to extract task and sub IDs")
        if not content_length:
            return answer(False, "Cannot get content-length")
        if content_length > CHECKPOINT_LIMIT:
            return answer(False, f"Exceeded size limit {content_length}>{CHECKPOINT_LIMIT}")
        path = os.path.join(self.cache_dirs[node], f"hpo_cp_{tid}_{sub}")
        with open(path, "wb") as f:
            f.write(file.data)
        return answer(True, f"Successfully placed at {path}", path)

    def ep_file_server_delete_hpo_checkpoint(self, dn, task_id, sub_id, node=None):
        # as file_server_api.py:delete_hpo_checkpoint, on the host asked
        try:
            os.remove(os.path.join(self.cache_dirs[node], f"hpo_cp_{task_id}_{sub_id}"))
            return answer(True)
        except OSError as e:
            return answer(False, f"Failed to delete file due to {e}")

    def relay_idds(self, dn, p):
        """relay_idds_command: the JSON text of [ok, result]"""
        if not dn or "/CN=limited proxy" in dn:
            return json.dumps([False, MSG_SSL])
        com = str(p.get("command_name", "")).split("+")[0]
        try:
            args = json.loads(p["args"]) if p.get("args") else []
            kwargs = json.loads(p["kwargs"]) if p.get("kwargs") else {}
            if com not in ("get_hyperparameters",):
                return json.dumps([False, f"{com} is not a command of iDDS Client"])
            return json.dumps([True, HPOClient(self).get_hyperparameters(*args, **kwargs)])
        except Exception as e:
            return json.dumps([False, f"failed to execute command with {e}"])



class HPOClient:
    """named as iDDS's client class, so that argument errors read as the real ones do"""
    def __init__(self, sim):
        self.sim = sim

    def get_hyperparameters(self, workload_id, request_id, id=None, status=None, limit=None):
        """the points of task workload_id; status is accepted and not used"""
        if not workload_id and not request_id:
            raise ValueError("One of workload_id and request_id should not be None or empty")
        with self.sim.lock:
            t = self.sim.task(workload_id) or self.sim.task(request_id) or {}
            pts = [{"id": p["id"], "parameters": p["parameters"], "loss": p["loss"]} for p in t.get("points", [])]
        if id is not None:
            pts = [p for p in pts if p["id"] == str(id)]
        return pts[:int(limit)] if limit else pts


# --- HTTP ---------------------------------------------------------------------------
class Drop(Exception):
    """close the connection without an answer"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "panda-sim"
    timeout = 120

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def node(self):
        """the cache host this request reached: the address it came in on
        (the token port counts as the first)"""
        addr = self.connection.getsockname()[0]
        return addr if addr in self.server.sim.cache_dirs else self.server.sim.nodes[0]

    def identity(self):
        """the client DN (SSL_CLIENT_S_DN), "" without a certificate"""
        try:
            cert = self.connection.getpeercert()
        except (AttributeError, ValueError):
            return ""
        if not cert:
            return ""
        dn = cert_dn(cert)
        if proxy_policy(self.connection.getpeercert(True)) == OID_LIMITED and "/CN=limited proxy" not in dn:
            dn += "/CN=limited proxy"  # an RFC 3820 limited proxy, shown as the legacy one is
        return dn

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                chunk = self.rfile.read(n + 2)[:n] if n else b""
                if not n:
                    self.rfile.readline()
                    return body
                body += chunk
        n = int(self.headers.get("Content-Length") or 0)
        if n > 800 * MB:
            raise Drop()
        return self.rfile.read(n) if n else b""

    def send(self, code, body, ctype="text/plain", headers=(), declared=None):
        body = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(declared if declared is not None else len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.entry["status"] = code

    def dispatch(self):
        sim, url = self.server.sim, urlsplit(self.path)
        path = url.path
        self.entry = {"port": self.server.name, "method": self.command, "path": path, "endpoint": None,
                      "params": None, "dn": None, "auth": None, "status": None, "fault": None}
        try:
            self.serve(sim, url, path)
        except Drop:
            self.close_connection = True
            self.entry["status"] = "dropped"
        except (ConnectionError, socket.timeout, ssl.SSLError) as e:
            self.close_connection = True
            self.entry["status"] = self.entry["status"] or f"aborted: {e.__class__.__name__}"
        finally:
            sim.record(self.entry)

    def serve_cache(self, sim, path):
        """the cache directory as the server's httpd publishes it (Alias /cache/):
        static files, no authentication, HEAD, single ranges (416 past the end);
        faults for path "cache" (GETs of a range starting past byte 0): http500,
        cut (half the body, then the connection closes)"""
        self.entry["endpoint"] = "cache"
        self.entry["range"] = self.headers.get("Range")
        head = self.command == "HEAD"
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", "").strip())
        # faults hit reads of the contents past the start only (not HEAD, not a
        # look at the first bytes), so a test can aim at a download
        fault = sim.take_fault("cache", exact=True) if not head and m and int(m.group(1)) > 0 else None
        if fault:
            self.entry["fault"] = fault["kind"]
            if fault["kind"] == "http500":
                return self.send(500, "Internal Server Error")
        # this host's cache directory only: a file another cache host took is
        # not here (templates/panda_server-httpd.conf: Alias /cache/ to the
        # local cache_dir)
        fpath = os.path.join(sim.cache_dirs[self.node()], os.path.basename(path))
        if not os.path.isfile(fpath):
            return self.send(404, "Not Found")
        with open(fpath, "rb") as f:
            data = f.read()
        size, code, headers = len(data), 200, [("Accept-Ranges", "bytes")]
        if m:
            first = int(m.group(1))
            last = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
            if first >= size or last < first:
                return self.send(416, "Range Not Satisfiable", headers=[("Content-Range", f"bytes */{size}")])
            data, code = data[first:last + 1], 206
            headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
        if head:
            self.send_response(code)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.entry["status"] = code
            return None
        if fault and fault["kind"] == "cut":
            self.send_response(code)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            raise Drop()
        return self.send(code, data, "application/octet-stream", headers=headers)

    def serve(self, sim, url, path):
        dn = self.identity()
        body = self.read_body()
        self.entry["dn"], self.entry["auth"] = dn or None, "x509" if dn else None
        if path.startswith("/cache/") and self.command in ("GET", "HEAD"):
            return self.serve_cache(sim, path)
        legacy = path.startswith("/server/panda/")
        parts = path.split("/")
        if legacy and len(parts) == 4:
            ep = parts[3]
            known = ep == "relay_idds_command"
        elif path.startswith("/api/") and len(parts) == 5:
            ep = f"{parts[3]}/{parts[4]}"
            known = parts[2] in ("v1", "latest") and ep in ENDPOINTS
        else:
            ep, known = "", False
        self.entry["endpoint"] = ep or None
        if not known:
            return self.send(403, f"ERROR : method {ep.split('/')[-1]} is forbidden")
        auth = self.headers.get("Authorization")
        if auth and sim.tokens is not None:
            tdn, why = sim.token_identity(auth, self.headers.get("Origin"))
            if why:
                return self.send(403, f"ERROR : Token authentication failed. {why}")
            if not dn:
                dn = tdn
                self.entry["dn"], self.entry["auth"] = dn, "token"
        ctype = self.headers.get("Content-Type", "")
        accept = self.headers.get("Accept", "")
        json_body = ctype == "application/json" and self.command in ("POST", "PUT")
        try:
            if legacy and ctype == "application/json":
                params = {k: ("True" if v is True else "False" if v is False else v)
                          for k, v in json.loads(gzip.decompress(body)).items()}
            elif json_body:
                gz = self.headers.get("Content-Encoding") == "gzip"
                params = json.loads(gzip.decompress(body) if gz else body)
            else:
                params = self.form(url, body, ctype)
        except (ValueError, OSError, EOFError) as e:
            return self.send(500, f"ERROR : received invalid JSON : {e}")
        self.entry["params"] = {k: ({"filename": v.filename, "size": len(v.data)} if isinstance(v, Upload) else v)
                                for k, v in params.items()} if isinstance(params, dict) else params
        fault = sim.take_fault(ep)
        if fault:
            self.entry["fault"] = fault["kind"]
            if fault["kind"] == "http500":
                return self.send(500, "ERROR : simulated internal server error")
            if fault["kind"] == "http429":
                return self.send(429, "ERROR : too many requests",
                                 headers=[("Retry-After", str(fault.get("retry_after", 1)))])
            if fault["kind"] == "stall":
                time.sleep(float(fault.get("seconds", 30)))
        if legacy and fault and fault["kind"] == "idds_down":
            # iDDS not answering: UserIF.py:relay_idds_command turns the iDDS
            # client's exception into [false, "failed to execute command with ..."]
            result, out = None, json.dumps([False, "failed to execute command with " + fault.get(
                "message", "Connection exception.: ConnectionError: iDDS did not answer (simulated)")])
        elif legacy:
            result, out = None, sim.relay_idds(dn, params)
        else:
            result = self.api(sim, ep, dn, params, self.command)
            out = to_json(result) if "application/json" in (ctype, accept) else str(result)
            self.entry["success"] = result.get("success")
            if not isinstance(result.get("data"), (dict, list)):
                self.entry["data"] = result.get("data")
        if fault and fault["kind"] == "lost_submit":
            raise Drop()
        if fault and fault["kind"] == "truncate":
            raw = out.encode()
            self.send(200, raw[:len(raw) // 2], declared=len(raw) + 100)
            self.entry["status"] = "truncated"
            raise Drop()
        self.send(200, out)

    def form(self, url, body, ctype):
        if self.command == "GET":
            pairs = parse_qsl(url.query, keep_blank_values=True)
        elif ctype.startswith("multipart/form-data"):
            m = re.search(r'boundary="?([^";]+)"?', ctype)
            pairs = []
            for part in body.split(b"--" + m.group(1).encode())[1:] if m else []:
                if part.startswith(b"--"):
                    break
                head, _, data = part[2:].partition(b"\r\n\r\n")
                data = data[:-2] if data.endswith(b"\r\n") else data
                disp = head.decode("utf-8", "replace")
                name = re.search(r'name="([^"]*)"', disp)
                fname = re.search(r'filename="([^"]*)"', disp)
                if name:
                    pairs.append((name.group(1), Upload(fname.group(1), data) if fname else data.decode()))
        else:
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params = {}
        for k, v in pairs:
            if self.command == "GET" and k in params:
                params[k] = (params[k] if isinstance(params[k], list) else [params[k]]) + [v]
            else:
                params.setdefault(k, v)
        return params

    def api(self, sim, ep, dn, params, method):
        """request_validation, then the endpoint"""
        want, secure, owner, spec = ENDPOINTS[ep]
        if secure and (not dn or "/CN=limited proxy" in dn):
            return answer(False, MSG_SSL)
        if ep in PRODUCTION_ONLY and not sim.is_prod(dn):  # request_validation(production=True)
            return answer(False, MSG_PROD_ROLE)
        if method != want:
            return answer(False, f"expecting {want}, received {method}")
        if not isinstance(params, dict):
            return answer(False, "Argument error: too many positional arguments")
        for name, _, default in spec:
            if default is REQ and name not in params:
                return answer(False, f"Argument error: missing a required argument: '{name}'")
        names = [s[0] for s in spec]
        for k in params:
            if k not in names:
                return answer(False, f"Argument error: got an unexpected keyword argument '{k}'")
        args = {}
        for name, typ, default in spec:
            if name not in params:
                continue
            v = params[name]
            if typ is not None and v != default:
                if method == "GET":
                    try:
                        if v == "None" and default is None:
                            v = None
                        elif typ is bool:
                            v = v.lower() in ("true", "1")
                        elif typ is int:
                            v = int(float(v))
                        elif typ is not str:
                            raise TypeError()
                    except (ValueError, TypeError, AttributeError):
                        return answer(False, f"Type error: '{name}' with value '{v}' could not be casted to "
                                             f"type {type_name(typ)} from {type(v).__name__}.")
                ok = isinstance(v, typ) or (v is None and default is None)
                if not ok:
                    return answer(False, f"Type error: '{name}' must be of type {type_name(typ)}, "
                                         f"got {type(v).__name__}.")
            args[name] = v
        if owner and args.get("task_id"):
            t = sim.tasks.get(args["task_id"])
            if not sim.is_prod(dn) and (t is None or t["userName"] != compact_user(dn)):
                return answer(False, MSG_OWNER)
        if ep.startswith("file_server/upload"):
            args["content_length"] = int(self.headers.get("Content-Length") or 0)
        if ep in ("file_server/upload_cache_file", "file_server/upload_hpo_checkpoint",
                  "file_server/delete_hpo_checkpoint"):
            args["node"] = self.node()
        return sim.call(ep, dn, args)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # the real server's listen queue (templates/panda_server-httpd.conf.rpmnew.template:
    # ListenBackLog ${PANDA_SERVER_CONF_MAX_BACKLOG}, 511 in
    # templates/sysconfig/panda_server.sysconfig.rpmnew.template), not
    # socketserver's 5: a client opening its connections at once would see
    # the sixth and later SYNs dropped and sent again a second later
    request_queue_size = 511

    def __init__(self, port, handler, sim, name, ctx=None, addr="127.0.0.1"):
        self.sim, self.name, self.ctx = sim, name, ctx
        super().__init__((addr, port), handler)

    def finish_request(self, request, client_address):
        """the TLS handshake happens here, in the request's thread"""
        conn = request
        if self.ctx is not None:
            request.settimeout(30)
            # wrap_socket takes the descriptor over (detach) and closes it when
            # the handshake fails, before any lingering: a second descriptor of
            # the same connection keeps it open for linger()
            raw = request.dup()
            try:
                conn = self.ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.sim.record({"port": self.name, "method": None, "path": None, "endpoint": None,
                                 "status": "tls", "tls_error": str(e)})
                self.linger(raw)
                raw.close()
                return
            raw.close()
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            if conn is not request:
                conn.close()


    @staticmethod
    def linger(sock):
        """close as httpd does (lingering close): stop sending, read what the
        client still sends for a moment, then close.  A plain close with the
        client's request unread makes the kernel answer with a reset, which can
        overtake the TLS alert just sent (a client certificate refused under
        TLS 1.3 is noticed after the client has sent its request)"""
        try:
            sock.shutdown(socket.SHUT_WR)
            # httpd's ap_lingering_close reads until the client closes, at most
            # MAX_SECS_TO_LINGER (30 s): a client that got the alert closes at
            # once, and one slowed down by a loaded machine still reads the
            # alert before any reset (a 1 s limit lost 1 in 20 under load)
            end = time.monotonic() + 30
            while time.monotonic() < end:
                sock.settimeout(max(0.1, end - time.monotonic()))
                if not sock.recv(65536):
                    break
        except OSError:
            pass


class Control(BaseHTTPRequestHandler):
    """the tests' side channel (plain HTTP, 127.0.0.1)"""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        body = to_json(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        sim, url = self.server.sim, urlsplit(self.path)
        q = dict(parse_qsl(url.query))
        with sim.lock:
            if url.path == "/log":
                self.reply(200, [e for e in sim.log if "endpoint" not in q or e.get("endpoint") == q["endpoint"]])
            elif url.path == "/faults":
                self.reply(200, sim.faults)
            elif url.path == "/tasks":
                self.reply(200, [dict({k: t[k] for k in ("jediTaskID", "taskName", "status", "userName",
                                                         "errorDialog", "points", "jobs")},
                                      steering=t.get("steering", [])) for t in sim.tasks.values()])
            elif url.path == "/health":
                self.reply(200, {"ok": True})
            else:
                self.reply(404, {"error": f"no {url.path}"})

    def do_POST(self):
        sim, path = self.server.sim, urlsplit(self.path).path
        n = int(self.headers.get("Content-Length") or 0)
        try:
            req = json.loads(self.rfile.read(n) or b"{}")
        except ValueError as e:
            return self.reply(400, {"error": f"invalid JSON: {e}"})
        with sim.lock:
            if path == "/fault":
                kinds = ("http500", "http429", "stall", "truncate", "lost_submit", "cut", "idds_down")
                if req.get("kind") not in kinds:
                    return self.reply(400, {"error": f"kind must be one of {', '.join(kinds)}"})
                f = {"kind": req["kind"], "count": int(req.get("count", 1)),
                     "path": req.get("path", {"lost_submit": "task/submit",
                                              "idds_down": "relay_idds_command"}.get(req["kind"]))}
                f.update({k: req[k] for k in ("seconds", "retry_after", "message") if k in req})
                if f["path"]:
                    f["path"] = re.sub(r"^/*(api/(v1|latest)/|server/panda/)?", "", f["path"])
                sim.faults.append(f)
                self.reply(200, {"ok": True, "faults": sim.faults})
            elif path == "/reset":
                sim.reset(keep_tasks=bool(req.get("keep_tasks")))
                self.reply(200, {"ok": True})
            elif path == "/task":
                t = sim.task(req.get("task_id"))
                if t is None:
                    return self.reply(404, {"error": "no such task"})
                if "hold" in req:
                    t["hold"] = bool(req["hold"])
                if "status" in req:
                    sim.set_status(t, req["status"])
                # steps: that many status steps now, held or not, so a test
                # moves a held task on exactly as far as it wants
                for _ in range(int(req.get("steps", 0))):
                    sim.step(t)
                self.reply(200, {"ok": True, "status": t["status"]})
            elif path == "/config":
                for k in ("tick", "fail_every", "max_active", "hold_at"):
                    if k in req:
                        setattr(sim.a, k, req[k])
                self.reply(200, {"ok": True})
            else:
                self.reply(404, {"error": f"no {path}"})


def write_port(path, port):
    if path:
        with open(path + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pki", help="directory made by tests/fixtures/mkpki.sh (sets the next three)")
    ap.add_argument("--cert", help="host certificate")
    ap.add_argument("--key", help="host key")
    ap.add_argument("--ca-dir", help="trusted CA directory (hashed)")
    ap.add_argument("--port", type=int, default=0, help="HTTPS port (0: pick one)")
    ap.add_argument("--port-file")
    ap.add_argument("--verify-client", choices=("required", "optional"), default="optional",
                    help="optional (as the real server's SSLVerifyClient): a request without a "
                         "certificate reaches the API, which refuses it; required: the handshake fails")
    ap.add_argument("--tokens", help="JSON list of accepted bearer tokens (strings or objects "
                                     "{token, name, preferred_username, vo})")
    ap.add_argument("--token-port", type=int, default=None, help="HTTPS port taking tokens (0: pick one)")
    ap.add_argument("--token-port-file")
    ap.add_argument("--token-user", default="Test User", help="name of the owner of a plain-string token")
    ap.add_argument("--vo", action="append", default=None, help="VOs accepted in Origin (default atlas)")
    ap.add_argument("--control-port", type=int, default=0)
    ap.add_argument("--control-port-file")
    ap.add_argument("--state-dir", help="keep uploaded files here (default: a temporary directory)")
    ap.add_argument("--nickname", help="nickname of every user (default: from the certificate's CN)")
    ap.add_argument("--first-id", type=int, default=1000)
    ap.add_argument("--tick", type=float, default=0.2, help="seconds per simulated status step")
    ap.add_argument("--hold-at", action="append", default=[], metavar="STATUS",
                    help="hold a task when it enters STATUS (tests release it with POST /task)")
    ap.add_argument("--fail-every", type=int, default=0, help="every Nth job fails")
    ap.add_argument("--steering", choices=("sample", "exec"), default="sample",
                    help="sample: new points drawn from opt_space by the simulator itself; exec: the "
                         "task's steering command (hpoRequestData.arguments) run as iDDS runs it, on "
                         "this machine")
    ap.add_argument("--invalid", choices=("reject", "broken"), default="broken",
                    help="broken (as the real server): a task JEDI cannot run is stored and goes broken; "
                         "reject: refused at submission with code 4 and the reason")
    ap.add_argument("--max-active", type=int, default=None)
    ap.add_argument("--production-dn", action="append", default=[], help="DNs with production role")
    ap.add_argument("--listen", action="append", default=None,
                    help="loopback address of the HTTPS ports, repeatable: each is a cache host with "
                         "its own cache directory (default 127.0.0.1)")
    ap.add_argument("--cache-host", default=None,
                    help="host recorded for every upload, named in FOUND:<host>:<file> (the server's "
                         "sandboxHostname; default: the address the upload reached)")
    a = ap.parse_args()
    a.vo = a.vo or ["atlas"]
    a.listen = a.listen or ["127.0.0.1"]
    if any(not n.startswith("127.") for n in a.listen):
        ap.error("--listen: loopback addresses (127.x.y.z) only")
    if a.pki:
        a.cert = a.cert or os.path.join(a.pki, "hostcert.pem")
        a.key = a.key or os.path.join(a.pki, "hostkey.pem")
        a.ca_dir = a.ca_dir or os.path.join(a.pki, "ca")
    if not (a.cert and a.key and a.ca_dir):
        ap.error("need --pki or --cert, --key and --ca-dir")
    if a.token_port is not None and not a.tokens:
        ap.error("--token-port needs --tokens")

    def context(mode):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        ctx.load_verify_locations(capath=a.ca_dir)
        ctx.verify_mode = mode
        ctx.verify_flags |= ssl.VERIFY_ALLOW_PROXY_CERTS
        return ctx

    sim = Sim(a)
    main_ctx = context(ssl.CERT_REQUIRED if a.verify_client == "required" else ssl.CERT_OPTIONAL)
    servers = [Server(a.port, Handler, sim, "main", main_ctx, a.listen[0])]
    # the other cache hosts: the same port on further loopback addresses
    for addr in a.listen[1:]:
        servers.append(Server(servers[0].server_address[1], Handler, sim, "main", main_ctx, addr))
    if a.token_port is not None:
        servers.append(Server(a.token_port, Handler, sim, "token", context(ssl.CERT_OPTIONAL)))
    control = Server(a.control_port, Control, sim, "control")
    for s in servers + [control]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    stop = threading.Event()

    def ticker():
        while not stop.wait(min(0.05, max(sim.a.tick / 4, 0.005))):
            sim.step_all()
    threading.Thread(target=ticker, daemon=True).start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # the main port file last: callers wait for it, and then find the others
    write_port(a.control_port_file, control.server_address[1])
    if a.token_port is not None:
        write_port(a.token_port_file, servers[-1].server_address[1])
    write_port(a.port_file, servers[0].server_address[1])
    stop.wait()
    # each loop ends within its poll interval; but one stopped by a TERM
    # while requests ran once never did, and a simulator that does not end
    # keeps the test that stops it waiting: 5 s, then out regardless
    downs = [threading.Thread(target=s.shutdown, daemon=True) for s in servers + [control]]
    for t in downs:
        t.start()
    for t in downs:
        t.join(5)
    if not a.state_dir:
        shutil.rmtree(sim.state_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
