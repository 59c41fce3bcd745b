# Independent check of the reverse-KL stationary points of a normal Q against
# P = 0.5 N(-3,1) + 0.5 N(3,1) (tests/fit.rs): scipy quad, finite differences, scipy root.
import numpy as np
from scipy import integrate, optimize
from scipy.stats import norm
def lp(x): return np.logaddexp(norm.logpdf(x,-3,1), norm.logpdf(x,3,1)) + np.log(0.5)
def kl(mu, ls):
    s=np.exp(ls)
    f=lambda z: norm.pdf(z)*(norm.logpdf(mu+s*z,mu,s)-lp(mu+s*z))
    return integrate.quad(f,-40,40,epsabs=1e-14,epsrel=1e-13,limit=500)[0]
s0=2.7437693090913915; l0=np.log(s0)
h=1e-3
for mu in [0.0]:
  f0=kl(0,l0)
  print("KL",f0)
  print("d2/dmu2", (kl(h,l0)-2*f0+kl(-h,l0))/h**2)
  print("d2/dls2", (kl(0,l0+h)-2*f0+kl(0,l0-h))/h**2)
  print("d/dls", (kl(0,l0+h)-kl(0,l0-h))/(2*h))
for mu in [0.3, 0.6, 1.0, 1.5, 1.84, 2.2, 2.98]:
  r=optimize.minimize_scalar(lambda l: kl(mu,l), bounds=(-1,2), method='bounded', options={'xatol':1e-9})
  print(mu, np.exp(r.x), r.fun)
def grad(v):
    mu,ls=v; h=1e-4
    return [(kl(mu+h,ls)-kl(mu-h,ls))/(2*h),(kl(mu,ls+h)-kl(mu,ls-h))/(2*h)]
r=optimize.root(grad,[1.84,np.log(2.1)],tol=1e-12)
print("saddle", r.x[0], np.exp(r.x[1]), kl(*r.x))
