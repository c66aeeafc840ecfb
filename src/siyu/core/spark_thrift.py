"""Spark's Thrift server over the local Spark catalog: how Superset (and any JDBC/ODBC or
``hive://`` client) reads the marts dbt built on Spark.

The pyspark wheel ships the server (``spark-hive-thriftserver``); it runs on the same Java 17
as dbt's session. It opens the same catalog (an embedded Derby database under SIYU_SPARK_DIR,
one process at a time), so it serves between runs, not during one: start it after
``siyu run`` and stop it before the next (``siyu spark-thrift`` does both around a wait).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pyspark


@dataclass
class SparkThriftServer:
    """HiveThriftServer2 on 127.0.0.1:``port`` over the catalog and tables in ``spark_dir``."""

    spark_dir: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL Superset registers (PyHive's ``hive://`` dialect)."""
        return f"hive://siyu@127.0.0.1:{self.port}/marts"

    @property
    def log_file(self) -> Path:
        return self.spark_dir / "thrift-server.log"

    def command(self) -> list[str]:
        spark_home = Path(pyspark.__file__).parent
        spark_dir = self.spark_dir.resolve()
        settings = {
            "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true"
            ),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.enabled": "false",
        }
        return [
            str(spark_home / "bin" / "spark-submit"),
            "--class",
            "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--name",
            "siyu-thrift",
            *(arg for key, value in settings.items() for arg in ("--conf", f"{key}={value}")),
            "--hiveconf",
            f"hive.server2.thrift.port={self.port}",
            "--hiveconf",
            "hive.server2.thrift.bind.host=127.0.0.1",
            "spark-internal",
        ]

    def start(self, timeout: float = 180) -> SparkThriftServer:
        """Start the server and wait until it accepts connections (or say why it did not)."""
        env = {**os.environ, "SPARK_HOME": str(Path(pyspark.__file__).parent)}
        self.spark_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.spark_dir
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the Spark Thrift server exited ({self.process.returncode}); "
                    f"see {self.log_file}"
                )
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(1)
        self.stop()
        raise TimeoutError(
            f"the Spark Thrift server did not listen in {timeout:.0f}s; see {self.log_file}"
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
