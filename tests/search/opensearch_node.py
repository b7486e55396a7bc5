"""A real single-node OpenSearch (Lucene) on 127.0.0.1, for the search tests and ``bench/search_bench.py``.

The engine is ``tests/search/engine/``: a Maven project whose ``pom.xml`` lists OpenSearch and the modules
the portal uses (analysis, Painless, mapper extras …) from Maven Central, and ``Launcher.java``, which starts
a ``Node`` with those modules as classpath plugins.  :func:`build` packages it (``mvn -q -B package``, once;
again only when the pom or the launcher changes) and :meth:`OpenSearchNode.start` runs it with a small heap,
its data in a temporary folder, on a free port.  It needs a Java 17 JDK and Maven; :func:`missing_tools`
says what to install when they are not there.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ENGINE = Path(__file__).resolve().with_name("engine")
POM = ENGINE / "pom.xml"
JAR = ENGINE / "target" / "engine.jar"
LIB = ENGINE / "target" / "lib"
SOURCES = [POM, *sorted((ENGINE / "src").rglob("*.java"))]
#: The heap the engine gets unless told otherwise: enough for the tests and for 100,000 benchmark documents.
HEAP = "1g"
INSTALL = ("the search tests run a real OpenSearch and need a Java 17 JDK and Maven "
           "(Debian: apt-get install openjdk-17-jdk-headless maven)")


class EngineUnavailable(RuntimeError):
    """The engine could not be built or started; the message says why."""


def missing_tools() -> str | None:
    """What to install before the engine can run, or None when Java and Maven are both there."""
    missing = [tool for tool in ("java", "mvn") if not shutil.which(tool)]
    return f"{' and '.join(missing)} not found: {INSTALL}" if missing else None


def built() -> bool:
    """The packaged engine is there and newer than its pom and its Java sources."""
    if not JAR.exists() or not LIB.is_dir():
        return False
    return JAR.stat().st_mtime >= max(path.stat().st_mtime for path in SOURCES)


def build() -> None:
    """Package the engine with Maven (its dependencies from Maven Central into ~/.m2 the first time)."""
    if built():
        return
    problem = missing_tools()
    if problem:
        raise EngineUnavailable(problem)
    run = subprocess.run(["mvn", "-q", "-B", "-f", str(POM), "package"], capture_output=True, text=True)
    if run.returncode or not built():
        raise EngineUnavailable(f"mvn package failed ({run.returncode}):\n{(run.stdout + run.stderr)[-4000:]}")


class OpenSearchNode:
    """One running engine: ``.url`` is its HTTP address, ``.pid`` the Java process; ``close()`` stops it."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path, started_in: float) -> None:
        self.process, self.url, self.log, self.started_in = process, url, log, started_in

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    def start(cls, heap: str | None = None, timeout: float = 300.0) -> "OpenSearchNode":
        """Build if needed, start the engine and wait until it answers (``timeout`` seconds at most)."""
        build()
        heap = heap or os.environ.get("PBC_ENGINE_HEAP") or HEAP
        log = Path(tempfile.mkstemp(prefix="pbc-opensearch-", suffix=".log")[1])
        command = [
            "java", f"-Xms{min(heap, '512m', key=_megabytes)}", f"-Xmx{heap}", "-XX:+UseG1GC", "-Xss1m", "-Djava.awt.headless=true",
            "-Dfile.encoding=UTF-8", "-Dlog4j2.disable.jmx=true", "-XX:-OmitStackTraceInFastThrow",
            "-cp", f"{JAR}{os.pathsep}{LIB / '*'}", "pbc.engine.Launcher", "--stop-on-eof",
        ]
        began = time.monotonic()
        with log.open("wb") as errors:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True)
        ready: list[str] = []

        def read_ready_line() -> None:
            for line in process.stdout:
                if line.startswith("READY "):
                    ready.append(line.split()[1])
                    return

        reader = threading.Thread(target=read_ready_line, daemon=True)
        reader.start()
        reader.join(timeout)
        if not ready:
            process.kill()
            process.wait()
            raise EngineUnavailable(f"OpenSearch did not start within {timeout:.0f} s (exit {process.returncode}):\n"
                                    f"{log.read_text(errors='replace')[-4000:]}")
        return cls(process, ready[0], log, time.monotonic() - began)

    def rss_mb(self) -> int | None:
        """The engine's resident memory now (MB)."""
        return _status_mb(self.pid, "VmRSS:")

    def peak_mb(self) -> int | None:
        """The engine's peak resident memory so far (MB)."""
        return _status_mb(self.pid, "VmHWM:")

    def close(self) -> None:
        """Stop the engine: closing its standard input asks it to stop; it is killed if it has not within 60 s."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> "OpenSearchNode":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _megabytes(size: str) -> int:
    """``"512m"`` or ``"1g"`` in megabytes."""
    return int(size[:-1]) * (1024 if size[-1].lower() == "g" else 1)


def _status_mb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None
