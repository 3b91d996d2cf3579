//! The bench binary (`src/bin/bench`) still runs: every client on every workload, tiny sizes,
//! against a throwaway etcd member it starts itself. Nothing here looks at the timings; it
//! checks that each run produced a well-formed line and that the summary covers every workload.

use std::process::Command;

const ADAPTERS: [&str; 6] = [
    "blocking",
    "tokio",
    "async-std",
    "raw-ureq",
    "raw-hyper-tokio",
    "raw-hyper-async-std",
];
const WORKLOADS: [&str; 7] = ["w1", "w2", "w3", "w4", "w5", "w6", "null"];

#[test]
fn every_client_runs_every_workload() {
    conformance::etcd_process::etcd_binary().expect("etcd is installed (scripts/ensure-etcd)");
    let output = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--n", "60", "--runs", "1", "--workers", "4"])
        .args(["--listing-keys", "30", "--listings", "2", "--watch-n", "5"])
        .args(["--watchers", "20"])
        .output()
        .expect("the bench binary starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bench failed:\n{stdout}\n{stderr}");
    for adapter in ADAPTERS {
        for workload in WORKLOADS {
            let line = stdout
                .lines()
                .find(|l| l.starts_with(&format!("{adapter} {workload} ")))
                .unwrap_or_else(|| panic!("no line for {adapter} {workload} in:\n{stdout}"));
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 10, "{line}");
            let ops: usize = fields[2].parse().expect("n");
            let expected = match workload {
                "w4" => 2,
                "w5" => 5,
                "w6" => 20,
                _ => 60,
            };
            assert_eq!(ops, expected, "{line}");
            for number in &fields[3..] {
                let value: f64 = number.parse().unwrap_or_else(|_| panic!("{line}"));
                assert!(value.is_finite() && value >= 0.0, "{line}");
            }
        }
        assert!(stdout.contains(&format!("| {adapter} |")), "{stdout}");
    }
    for workload in WORKLOADS {
        assert!(stdout.contains(&format!("#### {workload}:")), "{stdout}");
    }
}
