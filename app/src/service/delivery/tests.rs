use super::*;

#[test]
fn retry_delays_grow_and_stay_capped() {
    let base = Duration::from_secs(2);
    let first = retry_delay(base, 1);
    assert!(first >= Duration::from_millis(1600) && first <= Duration::from_millis(2400));
    let third = retry_delay(base, 3);
    assert!(third >= Duration::from_millis(6400) && third <= Duration::from_millis(9600));
    assert!(retry_delay(base, 40) <= MAX_RETRY_DELAY.mul_f64(1.2));
}
