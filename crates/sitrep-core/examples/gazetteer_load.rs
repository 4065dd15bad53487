//! Gazetteer load time and memory: `cargo run --release -p sitrep-core --example gazetteer_load`.
fn main() {
    let before = rss();
    let t = std::time::Instant::now();
    let g = sitrep_core::geocode::Gazetteer::builtin();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    println!("gazetteer: {} places loaded in {ms:.0} ms, +{:.0} MiB resident", g.entries.len(), rss() - before);
}

fn rss() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}
