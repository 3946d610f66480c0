//! The `time` module: clocks, `sleep`, and calendar conversions through the
//! C library (`gmtime`, `localtime`, `mktime`, `strftime`), as CPython does
//! on Linux, so formatted dates match it exactly.
//!
//! Every clock reading goes through the VM's clock (`vm/clock.rs`), so
//! under `--virtual-time` `time.time()`, `time.monotonic()` and
//! `time.perf_counter()` follow the virtual clock and `time.sleep` advances
//! it instead of sleeping. A real sleep wakes up regularly to notice
//! Ctrl-C. CPU-time clocks (`process_time`, `thread_time`) are always real.

use super::args::{exactly_one, no_args, not_integer, positional, to_bigint};
use super::struct_seq;
use super::NativeModule;
use crate::stdlib::builtins::add_method;
use crate::vm::clock::real_ns;
use crate::vm::exceptions::ExcKind;
use crate::vm::object::Object;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyErr, PyResult, Vm};
use num_traits::ToPrimitive;
use std::ffi::{CStr, CString};

const STRUCT_TIME_FIELDS: &[&str] = &[
    "tm_year",
    "tm_mon",
    "tm_mday",
    "tm_hour",
    "tm_min",
    "tm_sec",
    "tm_wday",
    "tm_yday",
    "tm_isdst",
    "tm_zone",
    "tm_gmtoff",
];
/// `vm.module_state` key of the `struct_time` class.
const STRUCT_TIME_KEY: &str = "time.struct_time";

/// Builds the `time` module.
pub fn init(vm: &mut Vm) -> PyResult<Value> {
    let m = NativeModule::new(vm, "time")?;
    m.def_all(
        vm,
        &[
            ("time", time),
            ("time_ns", time_ns),
            ("monotonic", monotonic),
            ("monotonic_ns", monotonic_ns),
            ("perf_counter", perf_counter),
            ("perf_counter_ns", perf_counter_ns),
            ("process_time", process_time),
            ("process_time_ns", process_time_ns),
            ("thread_time", thread_time),
            ("thread_time_ns", thread_time_ns),
            ("sleep", sleep),
            ("gmtime", gmtime),
            ("localtime", localtime),
            ("mktime", mktime),
            ("asctime", asctime),
            ("ctime", ctime),
            ("strftime", strftime),
        ],
    );
    let cls = struct_seq::new_type(vm, "time", "struct_time");
    add_method(vm, cls, "__new__", struct_time_new);
    m.set(vm, "struct_time", Value::Obj(cls));
    vm.module_state.insert(STRUCT_TIME_KEY, Value::Obj(cls));
    set_timezone(vm, &m);
    Ok(m.module)
}

// ---- clocks -------------------------------------------------------------------

fn time(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "time", args, kw)?;
    Ok(Value::Float(vm.clock.wall()))
}

/// A nanosecond count as an int.
fn ns_value(vm: &mut Vm, ns: i128) -> Value {
    match i64::try_from(ns) {
        Ok(n) => Value::Int(n),
        Err(_) => vm.new_bigint(ns.into()),
    }
}

fn time_ns(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "time_ns", args, kw)?;
    let ns = vm.clock.wall_ns();
    Ok(ns_value(vm, ns))
}

fn monotonic(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "monotonic", args, kw)?;
    Ok(Value::Float(vm.clock_now()))
}

fn monotonic_ns(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "monotonic_ns", args, kw)?;
    let ns = vm.clock.monotonic_ns();
    Ok(ns_value(vm, ns))
}

fn perf_counter(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "perf_counter", args, kw)?;
    Ok(Value::Float(vm.clock_now()))
}

fn perf_counter_ns(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "perf_counter_ns", args, kw)?;
    let ns = vm.clock.monotonic_ns();
    Ok(ns_value(vm, ns))
}

fn process_time(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "process_time", args, kw)?;
    Ok(Value::Float(
        real_ns(libc::CLOCK_PROCESS_CPUTIME_ID) as f64 / 1e9,
    ))
}

fn process_time_ns(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "process_time_ns", args, kw)?;
    Ok(ns_value(vm, real_ns(libc::CLOCK_PROCESS_CPUTIME_ID)))
}

fn thread_time(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "thread_time", args, kw)?;
    Ok(Value::Float(
        real_ns(libc::CLOCK_THREAD_CPUTIME_ID) as f64 / 1e9,
    ))
}

fn thread_time_ns(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    no_args(vm, "time", "thread_time_ns", args, kw)?;
    Ok(ns_value(vm, real_ns(libc::CLOCK_THREAD_CPUTIME_ID)))
}

/// A duration in seconds as CPython's `_PyTime_FromSecondsObject` reads
/// it: floats (not nan), or integers through `__index__`.
fn seconds_arg(vm: &mut Vm, v: Value) -> PyResult<f64> {
    let too_large = |vm: &mut Vm| {
        vm.new_error(
            ExcKind::OverflowError,
            "timestamp too large to convert to C _PyTime_t",
        )
    };
    let secs = match v {
        Value::Float(f) => {
            if f.is_nan() {
                return Err(vm.value_error("Invalid value NaN (not a number)"));
            }
            f
        }
        _ => match to_bigint(vm, v)?.to_i64() {
            Some(i) => i as f64,
            None => return Err(too_large(vm)),
        },
    };
    if (secs * 1e9).abs() >= 9.2e18 {
        return Err(too_large(vm));
    }
    Ok(secs)
}

/// `time.sleep(secs)`.
fn sleep(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    exactly_one(vm, "time", "sleep", args, kw)?;
    let secs = seconds_arg(vm, args[0])?;
    if secs < 0.0 {
        return Err(vm.value_error("sleep length must be non-negative"));
    }
    if vm.clock.is_virtual() {
        vm.clock.advance(secs);
        return Ok(Value::None);
    }
    // Whatever was printed before the pause should be visible during it.
    vm.flush_stdout();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    let Some(flag) = vm.interrupt.clone() else {
        std::thread::sleep(deadline.saturating_duration_since(std::time::Instant::now()));
        return Ok(Value::None);
    };
    // Wake up regularly: Ctrl-C sets the flag from another thread.
    const SLICE: std::time::Duration = std::time::Duration::from_millis(20);
    loop {
        if flag.swap(false, std::sync::atomic::Ordering::Relaxed) {
            return Err(vm.new_error(ExcKind::KeyboardInterrupt, ""));
        }
        let now = std::time::Instant::now();
        if now >= deadline {
            return Ok(Value::None);
        }
        std::thread::sleep((deadline - now).min(SLICE));
    }
}

// ---- calendar conversions -----------------------------------------------------

/// A zeroed C `struct tm`.
fn empty_tm() -> libc::tm {
    // SAFETY: `struct tm` is plain data; all-zero is a valid value (a null
    // `tm_zone` pointer included).
    unsafe { std::mem::zeroed() }
}

/// A timestamp argument as C `time_t` (None: now), rounding floats down.
fn time_t_arg(vm: &mut Vm, v: Option<Value>) -> PyResult<i64> {
    let out_of_range = |vm: &mut Vm| {
        vm.new_error(
            ExcKind::OverflowError,
            "timestamp out of range for platform time_t",
        )
    };
    match v {
        None | Some(Value::None) => Ok(vm.clock.wall().floor() as i64),
        Some(Value::Float(f)) => {
            if f.is_nan() {
                return Err(vm.value_error("Invalid value NaN (not a number)"));
            }
            let f = f.floor();
            if !(-9.2e18..9.2e18).contains(&f) {
                return Err(out_of_range(vm));
            }
            Ok(f as i64)
        }
        Some(v) => match to_bigint(vm, v)?.to_i64() {
            Some(i) => Ok(i),
            None => Err(out_of_range(vm)),
        },
    }
}

/// The OSError C's conversion functions report for unrepresentable years.
fn overflow_os_error(vm: &mut Vm) -> PyErr {
    vm.new_error(
        ExcKind::OSError,
        "[Errno 75] Value too large for defined data type",
    )
}

/// Converts a timestamp with `gmtime_r` or `localtime_r`.
fn broken_down(vm: &mut Vm, t: i64, local: bool) -> PyResult<libc::tm> {
    let mut tm = empty_tm();
    let tt = t as libc::time_t;
    // SAFETY: valid pointers to a time_t and a writable struct tm.
    let ok = unsafe {
        if local {
            !libc::localtime_r(&tt, &mut tm).is_null()
        } else {
            !libc::gmtime_r(&tt, &mut tm).is_null()
        }
    };
    if !ok {
        return Err(overflow_os_error(vm));
    }
    Ok(tm)
}

/// A `struct_time` value from a C `struct tm`.
fn struct_time_of(vm: &mut Vm, tm: &libc::tm) -> Value {
    let zone = if tm.tm_zone.is_null() {
        Value::None
    } else {
        // SAFETY: a non-null tm_zone set by the C library points to a
        // NUL-terminated string that lives as long as the time zone data.
        let z = unsafe { CStr::from_ptr(tm.tm_zone) };
        vm.new_str(z.to_string_lossy())
    };
    let items = vec![
        Value::Int(tm.tm_year as i64 + 1900),
        Value::Int(tm.tm_mon as i64 + 1),
        Value::Int(tm.tm_mday as i64),
        Value::Int(tm.tm_hour as i64),
        Value::Int(tm.tm_min as i64),
        Value::Int(tm.tm_sec as i64),
        Value::Int((tm.tm_wday as i64 + 6) % 7),
        Value::Int(tm.tm_yday as i64 + 1),
        Value::Int(tm.tm_isdst as i64),
        zone,
        Value::Int(tm.tm_gmtoff),
    ];
    let cls = struct_time_class(vm);
    struct_seq::new(vm, cls, STRUCT_TIME_FIELDS, 9, items)
}

fn struct_time_class(vm: &Vm) -> ObjRef {
    match vm.module_state.get(STRUCT_TIME_KEY) {
        Some(Value::Obj(c)) => *c,
        _ => vm.types.object,
    }
}

/// `gmtime`/`localtime`: `([secs])`.
fn convert(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    local: bool,
) -> PyResult<Value> {
    if !kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    if args.len() > 1 {
        let msg = format!("{name}() takes at most 1 argument ({} given)", args.len());
        return Err(vm.type_error(msg));
    }
    let t = time_t_arg(vm, args.first().copied())?;
    let tm = broken_down(vm, t, local)?;
    Ok(struct_time_of(vm, &tm))
}

fn gmtime(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    convert(vm, "gmtime", args, kw, false)
}

fn localtime(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    convert(vm, "localtime", args, kw, true)
}

/// A C `struct tm` from a 9-tuple or a struct_time (CPython's `gettmarg`),
/// with the time zone name that `tm_zone` points to (keep it alive while
/// the struct is used).
fn tm_arg(vm: &mut Vm, v: Value, func: &str) -> PyResult<(libc::tm, Option<CString>)> {
    let (items, extra): (Vec<Value>, Option<(Value, Value)>) =
        if let Some(all) = struct_seq::items(vm, v) {
            (all[..9].to_vec(), Some((all[9], all[10])))
        } else {
            match v {
                Value::Obj(r) => match vm.heap.get(r) {
                    Object::Tuple(t) => (t.to_vec(), None),
                    _ => return Err(vm.type_error("Tuple or struct_time argument required")),
                },
                _ => return Err(vm.type_error("Tuple or struct_time argument required")),
            }
        };
    if items.len() != 9 {
        return Err(vm.type_error(format!("{func}(): illegal time tuple argument")));
    }
    let mut f = [0i32; 9];
    for (slot, &item) in f.iter_mut().zip(&items) {
        *slot = c_int_arg(vm, item)?;
    }
    let [year, mon, mday, hour, min, sec, wday, yday, isdst] = f;
    if year < i32::MIN + 1900 {
        return Err(vm.new_error(ExcKind::OverflowError, "year out of range"));
    }
    let mut tm = empty_tm();
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    tm.tm_wday = (wday + 1) % 7;
    tm.tm_yday = yday - 1;
    tm.tm_isdst = isdst;
    let mut zone = None;
    if let Some((z, off)) = extra {
        if let Some(text) = vm.as_str(z) {
            zone = CString::new(text.as_bytes()).ok();
        }
        if let Value::Int(o) = off {
            tm.tm_gmtoff = o as libc::c_long;
        }
    }
    if let Some(z) = &zone {
        tm.tm_zone = z.as_ptr();
    }
    Ok((tm, zone))
}

/// An item of a time tuple as a C int.
fn c_int_arg(vm: &mut Vm, v: Value) -> PyResult<i32> {
    if matches!(v, Value::Float(_)) {
        return Err(not_integer(vm, v));
    }
    let b = to_bigint(vm, v)?;
    match b.to_i32() {
        Some(i) => Ok(i),
        None if b.sign() == num_bigint::Sign::Minus => Err(vm.new_error(
            ExcKind::OverflowError,
            "signed integer is less than minimum",
        )),
        None => Err(vm.new_error(
            ExcKind::OverflowError,
            "signed integer is greater than maximum",
        )),
    }
}

/// Range checks before formatting (CPython's `checktm`), accepting 0 for
/// the month, day and day of the year.
fn check_tm(vm: &mut Vm, tm: &mut libc::tm) -> PyResult<()> {
    let bad = |vm: &mut Vm, what: &str| Err(vm.value_error(format!("{what} out of range")));
    if tm.tm_mon == -1 {
        tm.tm_mon = 0;
    } else if !(0..=11).contains(&tm.tm_mon) {
        return bad(vm, "month");
    }
    if tm.tm_mday == 0 {
        tm.tm_mday = 1;
    } else if !(0..=31).contains(&tm.tm_mday) {
        return bad(vm, "day of month");
    }
    if !(0..=23).contains(&tm.tm_hour) {
        return bad(vm, "hour");
    }
    if !(0..=59).contains(&tm.tm_min) {
        return bad(vm, "minute");
    }
    if !(0..=61).contains(&tm.tm_sec) {
        return bad(vm, "seconds");
    }
    if tm.tm_wday < 0 {
        return bad(vm, "day of week");
    }
    if tm.tm_yday == -1 {
        tm.tm_yday = 0;
    } else if !(0..=365).contains(&tm.tm_yday) {
        return bad(vm, "day of year");
    }
    Ok(())
}

fn mktime(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    exactly_one(vm, "time", "mktime", args, kw)?;
    let (mut tm, _zone) = tm_arg(vm, args[0], "mktime")?;
    // A sentinel: mktime sets tm_wday on success, so -1 with a result of
    // -1 means failure.
    tm.tm_wday = -1;
    // SAFETY: `tm` is a valid struct tm; its tm_zone (if any) outlives the call.
    let t = unsafe { libc::mktime(&mut tm) };
    if t == -1 && tm.tm_wday == -1 {
        return Err(vm.new_error(ExcKind::OverflowError, "mktime argument out of range"));
    }
    Ok(Value::Float(t as f64))
}

/// C's `asctime` layout: "Sun Jun 20 23:21:05 1993".
fn asctime_text(tm: &libc::tm) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        DAYS[tm.tm_wday.rem_euclid(7) as usize],
        MONTHS[tm.tm_mon.rem_euclid(12) as usize],
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        1900 + tm.tm_year as i64
    )
}

fn asctime(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "time", "asctime", args, kw, 0, 1)?;
    let tm = match args.first() {
        Some(&v) => {
            let (mut tm, _zone) = tm_arg(vm, v, "asctime")?;
            check_tm(vm, &mut tm)?;
            tm
        }
        None => {
            let t = time_t_arg(vm, None)?;
            broken_down(vm, t, true)?
        }
    };
    Ok(vm.new_str(asctime_text(&tm)))
}

fn ctime(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "time", "ctime", args, kw, 0, 1)?;
    let t = time_t_arg(vm, args.first().copied())?;
    let tm = broken_down(vm, t, true)?;
    Ok(vm.new_str(asctime_text(&tm)))
}

/// `time.strftime(format[, t])`, formatted by the C library.
fn strftime(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if !kw.is_empty() {
        return Err(vm.type_error("strftime() takes no keyword arguments"));
    }
    if args.is_empty() || args.len() > 2 {
        let msg = if args.is_empty() {
            "strftime() takes at least 1 argument (0 given)".to_string()
        } else {
            format!(
                "strftime() takes at most 2 arguments ({} given)",
                args.len()
            )
        };
        return Err(vm.type_error(msg));
    }
    let Some(format) = vm.as_str(args[0]).map(str::to_string) else {
        let msg = format!(
            "strftime() argument 1 must be str, not {}",
            vm.type_name(args[0])
        );
        return Err(vm.type_error(msg));
    };
    let (mut tm, zone) = match args.get(1) {
        Some(&t) => {
            let (mut tm, zone) = tm_arg(vm, t, "strftime")?;
            check_tm(vm, &mut tm)?;
            (tm, zone)
        }
        None => {
            let t = time_t_arg(vm, None)?;
            (broken_down(vm, t, true)?, None)
        }
    };
    tm.tm_isdst = tm.tm_isdst.clamp(-1, 1);
    let Ok(c_format) = CString::new(format.as_bytes()) else {
        return Err(vm.value_error("embedded null character"));
    };
    let text = format_tm(&c_format, &tm);
    drop(zone);
    Ok(vm.new_str(text))
}

/// C `strftime` into a growing buffer (an empty result is legitimate, so
/// stop growing at 256 bytes per format byte, as CPython does).
fn format_tm(format: &CStr, tm: &libc::tm) -> String {
    let limit = 256 * format.to_bytes().len().max(1);
    let mut size = 1024;
    loop {
        let mut buf = vec![0u8; size];
        // SAFETY: `buf` has `size` writable bytes; `format` is
        // NUL-terminated; `tm` is a valid struct tm whose tm_zone outlives
        // the call.
        let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), size, format.as_ptr(), tm) };
        if n > 0 || size >= limit {
            buf.truncate(n);
            return String::from_utf8_lossy(&buf).into_owned();
        }
        size *= 2;
    }
}

/// `time.struct_time(sequence)`: 9 to 11 items; missing ones are None.
fn struct_time_new(vm: &mut Vm, args: &[Value], _kw: &[(Value, Value)]) -> PyResult<Value> {
    let Some(&seq) = args.get(1) else {
        return Err(vm.type_error("structseq() missing required argument 'sequence' (pos 1)"));
    };
    let mut items = vm.collect_iterable(seq)?;
    let n = items.len();
    if n < 9 {
        return Err(vm.type_error(format!(
            "time.struct_time() takes an at least 9-sequence ({n}-sequence given)"
        )));
    }
    if n > 11 {
        return Err(vm.type_error(format!(
            "time.struct_time() takes an at most 11-sequence ({n}-sequence given)"
        )));
    }
    items.resize(11, Value::None);
    let cls = struct_time_class(vm);
    Ok(struct_seq::new(vm, cls, STRUCT_TIME_FIELDS, 9, items))
}

/// `timezone`, `altzone`, `daylight` and `tzname`, from the local time of
/// the current year's January and July (as CPython computes them).
fn set_timezone(vm: &mut Vm, m: &NativeModule) {
    const YEAR: i64 = (365 * 24 + 6) * 3600;
    let now = vm.clock.wall().floor() as i64;
    let jan_t = now / YEAR * YEAR;
    let probe = |t: i64| -> (i64, String) {
        let mut tm = empty_tm();
        let tt = t as libc::time_t;
        // SAFETY: valid pointers; see `broken_down`.
        unsafe { libc::localtime_r(&tt, &mut tm) };
        let name = if tm.tm_zone.is_null() {
            String::new()
        } else {
            // SAFETY: as in `struct_time_of`.
            unsafe { CStr::from_ptr(tm.tm_zone) }
                .to_string_lossy()
                .into_owned()
        };
        (-tm.tm_gmtoff, name)
    };
    let (jan_zone, jan_name) = probe(jan_t);
    let (jul_zone, jul_name) = probe(jan_t + YEAR / 2);
    // In the southern hemisphere daylight saving time is in January.
    let ((zone, name), (alt, alt_name)) = if jan_zone < jul_zone {
        ((jul_zone, jul_name), (jan_zone, jan_name))
    } else {
        ((jan_zone, jan_name), (jul_zone, jul_name))
    };
    m.set(vm, "timezone", Value::Int(zone));
    m.set(vm, "altzone", Value::Int(alt));
    m.set(vm, "daylight", Value::Int((zone != alt) as i64));
    let a = vm.new_str(name);
    let b = vm.new_str(alt_name);
    let names = vm.new_tuple(vec![a, b]);
    m.set(vm, "tzname", names);
}
