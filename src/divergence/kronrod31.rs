//! QUADPACK's 31-point Gauss–Kronrod rule (`dqk31`) on fixed pieces, for the JS rule between
//! two normals ([`super::normal_pair`]), whose integrand is smooth enough on pieces of 5
//! standard deviations for G15/K31 to reach QUADPACK's rounding floor.

use super::quad;

/// The Kronrod abscissae on [0, 1] of QUADPACK's 31-point rule (`dqk31`: Fullerton's 80-digit
/// values, rounded); the odd ones (1, 3, …, 13) are the 15-point Gauss rule's.
const XGK31: [f64; 16] = [
    0.998_002_298_693_397_1,
    0.987_992_518_020_485_4,
    0.967_739_075_679_139_1,
    0.937_273_392_400_706,
    0.897_264_532_344_081_9,
    0.848_206_583_410_427_2,
    0.790_418_501_442_466,
    0.724_417_731_360_170_1,
    0.650_996_741_297_416_9,
    0.570_972_172_608_538_8,
    0.485_081_863_640_239_7,
    0.394_151_347_077_563_4,
    0.299_180_007_153_168_8,
    0.201_194_093_997_434_5,
    0.101_142_066_918_717_5,
    0.0,
];

/// The 31-point Kronrod weights for [`XGK31`].
const WGK31: [f64; 16] = [
    0.005_377_479_872_923_349,
    0.015_007_947_329_316_122,
    0.025_460_847_326_715_32,
    0.035_346_360_791_375_85,
    0.044_589_751_324_764_88,
    0.053_481_524_690_928_09,
    0.062_009_567_800_670_64,
    0.069_854_121_318_728_26,
    0.076_849_680_757_720_38,
    0.083_080_502_823_133_02,
    0.088_564_443_056_211_77,
    0.093_126_598_170_825_32,
    0.096_642_726_983_623_68,
    0.099_173_598_721_791_96,
    0.100_769_845_523_875_6,
    0.101_330_007_014_791_55,
];

/// The 15-point Gauss weights of the odd abscissae of [`XGK31`] (1, 3, …, 13) and the center.
const WG15: [f64; 8] = [
    0.030_753_241_996_117_27,
    0.070_366_047_488_108_12,
    0.107_159_220_467_171_94,
    0.139_570_677_926_154_3,
    0.166_269_205_816_993_93,
    0.186_161_000_015_562_2,
    0.198_431_485_327_111_58,
    0.202_578_241_925_561_27,
];

/// The 31 nodes of G15/K31 on `[lo, hi]`: the pairs center ∓ half·x_j for j = 0..15, then
/// the center (the order [`kronrod31`] takes their values in).
pub(super) fn kronrod31_nodes(lo: f64, hi: f64) -> [f64; 31] {
    let center = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo);
    let mut nodes = [center; 31];
    for j in 0..15 {
        let dx = half * XGK31[j];
        nodes[2 * j] = center - dx;
        nodes[2 * j + 1] = center + dx;
    }
    nodes
}

/// G15/K31 (QUADPACK's `dqk31`) from the integrand at [`kronrod31_nodes`]`(lo, hi)`: the K31
/// value and QUADPACK's error estimate from the G15 sum (with its rounding floor).
pub(super) fn kronrod31(lo: f64, hi: f64, f: &[f64; 31]) -> (f64, f64) {
    let half = 0.5 * (hi - lo);
    let fc = f[30];
    let mut resk = fc * WGK31[15];
    let mut resg = fc * WG15[7];
    let mut resabs = resk.abs();
    for j in 0..15 {
        let (f1, f2) = (f[2 * j], f[2 * j + 1]);
        resk += WGK31[j] * (f1 + f2);
        resabs += WGK31[j] * (f1.abs() + f2.abs());
        if j % 2 == 1 {
            resg += WG15[j / 2] * (f1 + f2);
        }
    }
    let mean = resk * 0.5;
    let mut resasc = WGK31[15] * (fc - mean).abs();
    for j in 0..15 {
        resasc += WGK31[j] * ((f[2 * j] - mean).abs() + (f[2 * j + 1] - mean).abs());
    }
    let (value, error, _) = quad::estimate(resk, resg, resabs, resasc, half);
    (value, error)
}
