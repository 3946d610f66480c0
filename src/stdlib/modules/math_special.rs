//! The special functions of `math` that must agree with CPython bit for
//! bit: `gamma` and `lgamma` (CPython's own Lanczos approximation, not the C
//! library's), and the C library functions Rust's `f64` does not route to
//! the system libm (`erf`, `erfc`, `asinh`, `acosh`, `atanh`, `cbrt`,
//! `frexp`, `ldexp`).

/// Why a special function has no float result.
#[derive(Debug, PartialEq, Eq)]
pub enum MathError {
    /// ValueError "math domain error".
    Domain,
    /// OverflowError "math range error".
    Range,
}

/// The system C math library, which CPython calls for these functions.
mod libm {
    extern "C" {
        pub fn erf(x: f64) -> f64;
        pub fn erfc(x: f64) -> f64;
        pub fn asinh(x: f64) -> f64;
        pub fn acosh(x: f64) -> f64;
        pub fn atanh(x: f64) -> f64;
        pub fn frexp(x: f64, e: *mut std::os::raw::c_int) -> f64;
        pub fn ldexp(x: f64, e: std::os::raw::c_int) -> f64;
    }
}

/// C `frexp`: `(m, e)` with `x = m * 2**e`, `0.5 <= |m| < 1`; zero, nan
/// and infinities come back unchanged with `e == 0`.
pub fn frexp(x: f64) -> (f64, i32) {
    let mut e: std::os::raw::c_int = 0;
    // SAFETY: `e` is a valid, writable int for the duration of the call.
    let m = unsafe { libm::frexp(x, &mut e) };
    (m, e)
}

/// C `ldexp`: `x * 2**e` rounded once.
pub fn ldexp(x: f64, e: i32) -> f64 {
    // SAFETY: a pure function of its arguments.
    unsafe { libm::ldexp(x, e) }
}

/// C `erf`.
pub fn erf(x: f64) -> f64 {
    // SAFETY: a pure function of a double, from the C math library.
    unsafe { libm::erf(x) }
}

/// C `erfc`.
pub fn erfc(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { libm::erfc(x) }
}

/// C `asinh`.
pub fn asinh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { libm::asinh(x) }
}

/// C `acosh`.
pub fn acosh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { libm::acosh(x) }
}

/// C `cbrt` of the system libm. Rust's runtime links its own `cbrt`
/// (from compiler-builtins), which the linker prefers to the system's and
/// which rounds differently, so the system one is looked up at run time.
pub fn cbrt(x: f64) -> f64 {
    type CFn = extern "C" fn(f64) -> f64;
    static SYSTEM: std::sync::OnceLock<Option<CFn>> = std::sync::OnceLock::new();
    let f = SYSTEM.get_or_init(|| {
        // SAFETY: dlsym with a NUL-terminated name; a non-null result for
        // "cbrt" is the C library's `double cbrt(double)`.
        unsafe {
            let p = libc::dlsym(libc::RTLD_DEFAULT, c"cbrt".as_ptr());
            (!p.is_null()).then(|| std::mem::transmute::<*mut libc::c_void, CFn>(p))
        }
    });
    match f {
        Some(f) => f(x),
        None => x.cbrt(),
    }
}

/// C `atanh`.
pub fn atanh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { libm::atanh(x) }
}

const PI: f64 = std::f64::consts::PI;
/// log(pi).
const LOG_PI: f64 = 1.144_729_885_849_400_2;

/// The Lanczos approximation used by CPython: g and the coefficients of
/// the rational function (numerator, and the denominator
/// x*(x+1)*...*(x+11) expanded).
// The constants keep CPython's published digits; the extra precision is
// harmless (they round to the same doubles CPython uses).
#[allow(clippy::excessive_precision)]
const LANCZOS_G: f64 = 6.024_680_040_776_729_583_740_234_375;
#[allow(clippy::excessive_precision)]
const LANCZOS_G_MINUS_HALF: f64 = 5.524_680_040_776_729_583_740_234_375;
#[allow(clippy::excessive_precision)]
const LANCZOS_NUM: [f64; 13] = [
    23531376880.410759688572007674451636754734846804940,
    42919803642.649098768957899047001988850926355848959,
    35711959237.355668049440185451547166705960488635843,
    17921034426.037209699919755754458931112671403265390,
    6039542586.3520280050642916443072979210699388420708,
    1439720407.3117216736632230727949123939715485786772,
    248874557.86205415651146038641322942321632125127801,
    31426415.585400194380614231628318205362874684987640,
    2876370.6289353724412254090516208496135991145378768,
    186056.26539522349504029498971604569928220784236328,
    8071.6720023658162106380029022722506138218516325024,
    210.82427775157934587250973392071336271166969580291,
    2.5066282746310002701649081771338373386264310793408,
];
const LANCZOS_DEN: [f64; 13] = [
    0.0,
    39916800.0,
    120543840.0,
    150917976.0,
    105258076.0,
    45995730.0,
    13339535.0,
    2637558.0,
    357423.0,
    32670.0,
    1925.0,
    66.0,
    1.0,
];

/// Exact gamma values for 1..=23 (n-1 factorial).
const GAMMA_INTEGRAL: [f64; 23] = [
    1.0,
    1.0,
    2.0,
    6.0,
    24.0,
    120.0,
    720.0,
    5040.0,
    40320.0,
    362880.0,
    3628800.0,
    39916800.0,
    479001600.0,
    6227020800.0,
    87178291200.0,
    1307674368000.0,
    20922789888000.0,
    355687428096000.0,
    6402373705728000.0,
    121645100408832000.0,
    2432902008176640000.0,
    51090942171709440000.0,
    1124000727777607680000.0,
];

/// The Lanczos rational sum for x > 0, evaluated in the direction that
/// keeps it accurate (Horner in x below 5, in 1/x above).
fn lanczos_sum(x: f64) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    if x < 5.0 {
        for i in (0..13).rev() {
            num = num * x + LANCZOS_NUM[i];
            den = den * x + LANCZOS_DEN[i];
        }
    } else {
        for i in 0..13 {
            num = num / x + LANCZOS_NUM[i];
            den = den / x + LANCZOS_DEN[i];
        }
    }
    num / den
}

/// sin(pi * x), accurate near the integers.
fn sinpi(x: f64) -> f64 {
    let y = x.abs() % 2.0;
    let n = (2.0 * y).round() as i32;
    let r = match n {
        0 => (PI * y).sin(),
        1 => (PI * (y - 0.5)).cos(),
        // Not -sin(pi*(y-1.0)): that gives -0.0 at y == 1.0.
        2 => (PI * (1.0 - y)).sin(),
        3 => -(PI * (y - 1.5)).cos(),
        _ => (PI * (y - 2.0)).sin(),
    };
    1f64.copysign(x) * r
}

/// The gamma function.
pub fn gamma(x: f64) -> Result<f64, MathError> {
    if !x.is_finite() {
        if x.is_nan() || x > 0.0 {
            return Ok(x);
        }
        return Err(MathError::Domain);
    }
    if x == 0.0 {
        return Err(MathError::Domain);
    }
    if x == x.floor() {
        if x < 0.0 {
            return Err(MathError::Domain);
        }
        if x <= GAMMA_INTEGRAL.len() as f64 {
            return Ok(GAMMA_INTEGRAL[x as usize - 1]);
        }
    }
    let absx = x.abs();
    if absx < 1e-20 {
        let r = 1.0 / x;
        return if r.is_infinite() {
            Err(MathError::Range)
        } else {
            Ok(r)
        };
    }
    if absx > 200.0 {
        return if x < 0.0 {
            Ok(0.0 / sinpi(x))
        } else {
            Err(MathError::Range)
        };
    }
    let y = absx + LANCZOS_G_MINUS_HALF;
    // The rounding error made computing y, corrected for below.
    let z = if absx > LANCZOS_G_MINUS_HALF {
        let q = y - absx;
        q - LANCZOS_G_MINUS_HALF
    } else {
        let q = y - LANCZOS_G_MINUS_HALF;
        q - absx
    };
    let z = z * LANCZOS_G / y;
    let r = if x < 0.0 {
        let mut r = -PI / sinpi(absx) / absx * y.exp() / lanczos_sum(absx);
        r -= z * r;
        if absx < 140.0 {
            r /= y.powf(absx - 0.5);
        } else {
            let sqrtpow = y.powf(absx / 2.0 - 0.25);
            r /= sqrtpow;
            r /= sqrtpow;
        }
        r
    } else {
        let mut r = lanczos_sum(absx) / y.exp();
        r += z * r;
        if absx < 140.0 {
            r *= y.powf(absx - 0.5);
        } else {
            let sqrtpow = y.powf(absx / 2.0 - 0.25);
            r *= sqrtpow;
            r *= sqrtpow;
        }
        r
    };
    if r.is_infinite() {
        return Err(MathError::Range);
    }
    Ok(r)
}

/// The natural logarithm of the absolute value of the gamma function.
pub fn lgamma(x: f64) -> Result<f64, MathError> {
    if !x.is_finite() {
        return Ok(if x.is_nan() { x } else { f64::INFINITY });
    }
    if x == x.floor() && x <= 2.0 {
        return if x <= 0.0 {
            Err(MathError::Domain)
        } else {
            Ok(0.0)
        };
    }
    let absx = x.abs();
    if absx < 1e-20 {
        return Ok(-absx.ln());
    }
    let mut r = lanczos_sum(absx).ln() - LANCZOS_G;
    r += (absx - 0.5) * ((absx + LANCZOS_G - 0.5).ln() - 1.0);
    if x < 0.0 {
        // The reflection formula.
        r = LOG_PI - sinpi(absx).abs().ln() - absx.ln() - r;
    }
    if r.is_infinite() {
        return Err(MathError::Range);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_matches_factorials_and_errors() {
        assert_eq!(gamma(5.0), Ok(24.0));
        assert_eq!(gamma(0.0), Err(MathError::Domain));
        assert_eq!(gamma(-2.0), Err(MathError::Domain));
        assert_eq!(gamma(200.0), Err(MathError::Range));
        assert_eq!(lgamma(1.0), Ok(0.0));
        assert_eq!(lgamma(0.0), Err(MathError::Domain));
        assert!((gamma(0.5).unwrap() - PI.sqrt()).abs() < 1e-15);
    }
}
