-- CreateTable
CREATE TABLE "OverduePush" (
    "kind" TEXT NOT NULL,
    "caseId" INTEGER NOT NULL,
    "step" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OverduePush_pkey" PRIMARY KEY ("kind","caseId","step")
);
