// N-body simulation of the Jovian planets (the Benchmarks Game program),
// bodies as objects of one class; same float operation order as nbody.kl.
"use strict";

const PI = 3.141592653589793;
const SOLAR_MASS = 4.0 * PI * PI;
const DAYS_PER_YEAR = 365.24;

class Body {
    constructor(x, y, z, vx, vy, vz, mass) {
        this.x = x; this.y = y; this.z = z;
        this.vx = vx; this.vy = vy; this.vz = vz;
        this.mass = mass;
    }
}

function advance(bodies, dt) {
    const n = bodies.length;
    for (let i = 0; i < n; i++) {
        const bi = bodies[i];
        for (let j = i + 1; j < n; j++) {
            const bj = bodies[j];
            const dx = bi.x - bj.x;
            const dy = bi.y - bj.y;
            const dz = bi.z - bj.z;
            const d2 = dx * dx + dy * dy + dz * dz;
            const mag = dt / (d2 * Math.sqrt(d2));
            bi.vx -= dx * bj.mass * mag;
            bi.vy -= dy * bj.mass * mag;
            bi.vz -= dz * bj.mass * mag;
            bj.vx += dx * bi.mass * mag;
            bj.vy += dy * bi.mass * mag;
            bj.vz += dz * bi.mass * mag;
        }
    }
    for (let i = 0; i < n; i++) {
        const b = bodies[i];
        b.x += dt * b.vx;
        b.y += dt * b.vy;
        b.z += dt * b.vz;
    }
}

function energy(bodies) {
    let e = 0.0;
    const n = bodies.length;
    for (let i = 0; i < n; i++) {
        const b = bodies[i];
        e += 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz);
        for (let j = i + 1; j < n; j++) {
            const b2 = bodies[j];
            const dx = b.x - b2.x;
            const dy = b.y - b2.y;
            const dz = b.z - b2.z;
            e -= (b.mass * b2.mass) / Math.sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

function offsetMomentum(bodies) {
    let px = 0.0, py = 0.0, pz = 0.0;
    for (const b of bodies) {
        px += b.vx * b.mass;
        py += b.vy * b.mass;
        pz += b.vz * b.mass;
    }
    const sun = bodies[0];
    sun.vx = -px / SOLAR_MASS;
    sun.vy = -py / SOLAR_MASS;
    sun.vz = -pz / SOLAR_MASS;
}

const bodies = [
    // sun
    new Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS),
    // jupiter
    new Body(4.84143144246472090,
             -1.16032004402742839,
             -0.103622044471123109,
             0.00166007664274403694 * DAYS_PER_YEAR,
             0.00769901118419740425 * DAYS_PER_YEAR,
             -0.0000690460016972063023 * DAYS_PER_YEAR,
             0.000954791938424326609 * SOLAR_MASS),
    // saturn
    new Body(8.34336671824457987,
             4.12479856412430479,
             -0.403523417114321381,
             -0.00276742510726862411 * DAYS_PER_YEAR,
             0.00499852801234917238 * DAYS_PER_YEAR,
             0.0000230417297573763929 * DAYS_PER_YEAR,
             0.000285885980666130812 * SOLAR_MASS),
    // uranus
    new Body(12.8943695621391310,
             -15.1111514016986312,
             -0.223307578892655734,
             0.00296460137564761618 * DAYS_PER_YEAR,
             0.00237847173959480950 * DAYS_PER_YEAR,
             -0.0000296589568540237556 * DAYS_PER_YEAR,
             0.0000436624404335156298 * SOLAR_MASS),
    // neptune
    new Body(15.3796971148509165,
             -25.9193146099879641,
             0.179258772950371181,
             0.00268067772490389322 * DAYS_PER_YEAR,
             0.00162824170038242295 * DAYS_PER_YEAR,
             -0.0000951592254519715870 * DAYS_PER_YEAR,
             0.0000515138902046611451 * SOLAR_MASS),
];

const steps = 1000000;
offsetMomentum(bodies);
console.log(energy(bodies).toFixed(9));
for (let s = 0; s < steps; s++) advance(bodies, 0.01);
console.log(energy(bodies).toFixed(9));
